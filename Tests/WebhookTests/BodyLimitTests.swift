import Hummingbird
import Testing
@testable import Webhook

/// The limit enforced while the body streams in, for requests whose length is not announced (chunked)
/// or is announced wrongly; the live client always sends an honest Content-Length, so this is checked
/// on the collector directly.
@Suite struct BodyLimitTests {
    private func body(_ chunks: [Int]) -> RequestBody {
        let stream = AsyncStream<ByteBuffer> { continuation in
            for size in chunks { continuation.yield(ByteBuffer(repeating: 0x61, count: size)) }
            continuation.finish()
        }
        return RequestBody(asyncSequence: stream)
    }

    @Test func bodiesUpToTheLimitAreCollected() async throws {
        #expect(try await body([40, 60]).collectBytes(limit: 100, within: .seconds(5)).count == 100)
        #expect(try await body([]).collectBytes(limit: 100, within: .seconds(5)).isEmpty)
    }

    @Test func aBodyPassingTheLimitMidStreamIsRefused() async throws {
        await #expect(throws: WebhookRejection.tooLarge(limit: 100)) {
            try await body([60, 60, 60]).collectBytes(limit: 100, within: .seconds(5))
        }
    }
}
