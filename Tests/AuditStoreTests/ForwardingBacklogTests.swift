import AuditStore
import DockerAPI
import Foundation
import Logging
import Testing

/// The forwarder's backlog count, kept up to date by what was stored and confirmed since the last
/// count instead of counting the whole backlog every 2 s: it must equal a fresh count at every step.
struct ForwardingBacklogTests {
    static func events(_ range: Range<Int>) -> [DockerEvent] {
        range.map { i in
            DockerEvent(type: "container", action: "exec_start", detail: "true", actorID: "c\(i % 7)", attributes: Attributes(["name": "c\(i % 7)"]),
                        scope: "local", timeNano: 1_795_000_000_000_000_000 + Int64(i) * 1_000_000)
        }
    }

    @Test func theCountFollowsNewAndConfirmedEventsExactly() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("backlog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/audit.db"
        let writer = try EventWriter(path: path, logger: Logger(label: "test"))
        writer.enqueue(events: Self.events(0..<1000), source: .stream)
        await writer.flush()
        let ledger = try ForwardingLedger(path: path)
        #expect(try ledger.backlog(afterNs: nil).rows == 1000)
        // Stored since: counted on top.
        writer.enqueue(events: Self.events(1000..<1300), source: .stream)
        await writer.flush()
        #expect(try ledger.backlog(afterNs: nil).rows == 1300)
        // Confirmed up to the 500th event: taken off.
        let confirmed = Self.events(499..<500)[0].timeNano
        #expect(try ledger.backlog(afterNs: confirmed).rows == 800)
        // Both at once, and a fresh ledger (a fresh count) agrees.
        writer.enqueue(events: Self.events(1300..<1350), source: .stream)
        await writer.flush()
        let later = Self.events(899..<900)[0].timeNano
        #expect(try ledger.backlog(afterNs: later).rows == 450)
        #expect(try ForwardingLedger(path: path).backlog(afterNs: later).rows == 450)
        // The cap still holds.
        #expect(try ledger.backlog(afterNs: later, limit: 100).rows == 100)
        await writer.close()
    }
}
