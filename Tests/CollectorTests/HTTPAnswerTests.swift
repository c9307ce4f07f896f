import HTTPTransport
import Testing

/// How the one HTTP client treats a peer's long answer: Docker's must be whole, a notification sink's
/// is judged by its status with the text cut (a 2xx with a large page was retried forever).
@Suite(.serialized) struct HTTPAnswerTests {
    @Test func aLongAnswerFailsWholeOrKeepsItsHeadAndStatus() async throws {
        let receiver = LoopbackReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let request = HTTPRequest(url: receiver.url + "/large", method: .post(body: Array("{}".utf8), contentType: "application/json"),
                                  headers: [], timeoutSeconds: 10)
        await #expect(throws: TransferError.self) { try await HTTPClient.send(request, maxBodyBytes: 65_536) }
        let cut = try await HTTPClient.send(request, maxBodyBytes: 65_536, overflow: .keepHead)
        #expect(cut.status == 200 && cut.truncated && cut.body.count == 65_536)
        let whole = try await HTTPClient.send(request, maxBodyBytes: 200_000, overflow: .keepHead)
        #expect(whole.status == 200 && !whole.truncated && whole.body.count == 100_000)
        let moved = try await HTTPClient.send(HTTPRequest(url: receiver.url + "/moved", method: .post(body: [], contentType: "application/json"),
                                                          headers: [], timeoutSeconds: 10), overflow: .keepHead)
        #expect(moved.status == 301 && moved.headers["location"] == "https://example.invalid/hooks", "redirects are not followed")
        await receiver.stop()
    }
}
