import Hummingbird

extension RequestBody {
    /// The whole body, refused with 413 as soon as it passes `limit` bytes. The length is counted as
    /// chunks arrive because a chunked request, or one whose Content-Length lies, announces nothing
    /// trustworthy up front.
    func collectBytes(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            guard bytes.count + chunk.readableBytes <= limit else { throw WebhookRejection.tooLarge(limit: limit) }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }
}
