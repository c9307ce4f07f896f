import AuditSupport
import HTTPTransport

/// `GET /events` as an `AsyncSequence`. The transfer runs on its own thread and reads the socket
/// continuously: decoded lines are buffered without bound rather than ever stalling the daemon, which
/// silently drops events for a subscriber that falls 100 ms behind. Ending the iteration (or cancelling
/// the task) aborts the transfer.
///
/// Elements come per socket chunk, so a burst of events costs one hand-over, not one per event.
public struct EventStream: AsyncSequence, Sendable {
    public enum Element: Sendable {
        /// The daemon answered 200 and the stream is open; events may follow at any time, or never.
        case connected
        case items([StreamItem])
    }

    let host: DockerHost
    let path: String

    public func makeAsyncIterator() -> AsyncThrowingStream<Element, any Error>.Iterator {
        let (stream, continuation) = AsyncThrowingStream<Element, any Error>.makeStream(bufferingPolicy: .unbounded)
        let cancel = CancelFlag()
        continuation.onTermination = { _ in cancel.set() }
        let host = self.host
        let path = self.path
        OwnThread.start("docker-events") {
            Self.transfer(host: host, path: path, cancel: cancel, continuation: continuation)
        }
        return stream.makeAsyncIterator()
    }

    private static func transfer(host: DockerHost, path: String, cancel: CancelFlag,
                                 continuation: AsyncThrowingStream<Element, any Error>.Continuation) {
        var splitter = LineSplitter()
        var ok = false
        var errorBody: [UInt8] = []
        var batch: [StreamItem] = []
        let interner = Interner()
        let transfer = CurlTransfer(host.get(path, timeoutSeconds: nil), cancelled: cancel, onHeaders: { response in
            ok = response.status == 200
            if ok { continuation.yield(.connected) }
        }, onData: { chunk in
            // An error answer is read for its message only: its first 4 KiB, however long it runs.
            guard ok else { errorBody.append(contentsOf: chunk.prefix(Swift.max(0, 4096 - errorBody.count))); return }
            splitter.feed(chunk) { line in batch.append(EventDecoder.decode(line, interner: interner)) }
            if !batch.isEmpty {
                continuation.yield(.items(batch))
                batch.removeAll(keepingCapacity: true)
            }
        })
        do throws(TransferError) {
            let response = try transfer.perform()
            guard response.status == 200 else {
                continuation.finish(throwing: DockerError.http(status: response.status, path: path, message: JSONBody.errorMessage(errorBody)))
                return
            }
            splitter.finish { line in batch.append(EventDecoder.decode(line, interner: interner)) }
            if !batch.isEmpty { continuation.yield(.items(batch)) }
            continuation.finish()
        } catch {
            continuation.finish(throwing: DockerError(error, host: host))
        }
    }
}
