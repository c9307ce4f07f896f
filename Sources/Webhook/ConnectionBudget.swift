import HummingbirdCore
import NIOHTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization

/// The listener's open connections. Past `limit`, a new connection makes room by closing the oldest
/// one that is not in the middle of a request: 1,100 sockets opened and left silent would otherwise
/// hold every slot until their idle timeout while `/healthz` waited behind them in the backlog. When
/// every connection is busy, a request past the limit is answered 503 and its connection closed; past
/// `limit + overflow` the listener stops accepting and further connections wait in the kernel's
/// backlog, holding no descriptor of this process. Descriptors are what the collector's own Docker
/// connections need: 1,100 idle sockets under `ulimit -n 1024` once made its inspections fail.
final class ConnectionBudget: Sendable {
    let limit: Int
    let overflow: Int
    private let state = Mutex(State())

    private struct State {
        var nextSequence = 0
        var open: [ObjectIdentifier: Entry] = [:]
    }

    private struct Entry {
        let channel: any Channel
        let sequence: Int
        var busy = false
    }

    /// Called for every HTTP parser error on a connection (a broken head or body framing).
    let onMalformedRequest: @Sendable () -> Void

    init(limit: Int, overflow: Int = 16, onMalformedRequest: @escaping @Sendable () -> Void = {}) {
        self.limit = limit
        self.overflow = overflow
        self.onMalformedRequest = onMalformedRequest
    }

    var count: Int { state.withLock { $0.open.count } }

    /// True when the open connections exceed the limit: the request should be refused.
    var isOverLimit: Bool { count > limit }

    /// Hummingbird's hook into the server channel, which asks before each accept.
    var delegate: Delegate { Delegate(budget: self) }

    /// A handler for each connection's pipeline that reports it to this budget.
    func tracker() -> ConnectionTracker { ConnectionTracker(budget: self) }

    fileprivate func opened(_ channel: any Channel) {
        let evicted: (any Channel)? = state.withLock { state in
            state.nextSequence += 1
            state.open[ObjectIdentifier(channel)] = Entry(channel: channel, sequence: state.nextSequence)
            guard state.open.count > limit else { return nil }
            let idle = state.open.values.filter { !$0.busy && ObjectIdentifier($0.channel) != ObjectIdentifier(channel) }
            guard let oldest = idle.min(by: { $0.sequence < $1.sequence }) else { return nil }
            state.open[ObjectIdentifier(oldest.channel)] = nil
            return oldest.channel
        }
        evicted?.close(promise: nil)
    }

    fileprivate func setBusy(_ channel: any Channel, _ busy: Bool) {
        state.withLock { $0.open[ObjectIdentifier(channel)]?.busy = busy }
    }

    fileprivate func closed(_ channel: any Channel) {
        state.withLock { _ = $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    struct Delegate: AvailableConnectionsDelegate {
        let budget: ConnectionBudget

        mutating func connectionOpened() {}
        mutating func connectionClosed() {}
        func isAcceptingNewConnections() -> Bool { budget.count < budget.limit + budget.overflow }
    }
}

/// Marks its connection busy from a request's head to its response's end, so the budget never
/// closes a connection that is being served.
final class ConnectionTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let budget: ConnectionBudget

    init(budget: ConnectionBudget) { self.budget = budget }

    func handlerAdded(context: ChannelHandlerContext) { budget.opened(context.channel) }
    func handlerRemoved(context: ChannelHandlerContext) { budget.closed(context.channel) }

    func channelInactive(context: ChannelHandlerContext) {
        budget.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { budget.setBusy(context.channel, true) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { budget.setBusy(context.channel, false) }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { budget.onMalformedRequest() }
        context.fireErrorCaught(error)
    }
}
