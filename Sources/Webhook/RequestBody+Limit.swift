import Hummingbird

extension RequestBody {
    /// The whole body, refused with 413 as soon as it passes `limit` bytes and with 408 when it has
    /// not arrived within `deadline`. The length is counted as chunks arrive because a chunked
    /// request, or one whose Content-Length lies, announces nothing trustworthy up front; the
    /// deadline is what stops a sender that trickles a byte a second from holding the request open.
    func collectBytes(limit: Int, within deadline: Duration, reservation: BodyBudget.Reservation? = nil) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                for try await chunk in self {
                    guard bytes.count + chunk.readableBytes <= limit else { throw WebhookRejection.tooLarge(limit: limit) }
                    if let reservation, !reservation.take(chunk.readableBytes) {
                        throw WebhookRejection(.overloaded, "too many request bodies in flight; retry shortly")
                    }
                    bytes.append(contentsOf: chunk.readableBytesView)
                }
                return bytes
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw WebhookRejection(.requestTimeout, "the request body did not arrive within \(deadline): send it whole, at once")
            }
            return bytes
        }
    }
}
