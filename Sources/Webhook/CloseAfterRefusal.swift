import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Closes the connection once a response that says `Connection: close` is written. Hummingbird
/// keeps the connection and reads the rest of the request body after the response; for a body
/// refused unread (unsigned, too large, too slow) that would let the sender hold the connection
/// for as long as it trickles bytes.
final class CloseAfterRefusal: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var closing = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            closing = head.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closing else { return context.write(data, promise: promise) }
            closing = false
            // Closing both directions with request bytes unread makes the kernel answer with a reset,
            // and the client may lose the response; half-close, then close a moment later.
            context.writeAndFlush(data, promise: promise)
            context.close(mode: .output, promise: nil)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
    }
}
