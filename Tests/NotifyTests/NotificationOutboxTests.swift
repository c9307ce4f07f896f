import AuditStore
import Foundation
import Testing

/// The outbox on a freshly migrated store: one row per (finding, status), delivered per sink in order.
struct NotificationOutboxTests {
    func withOutbox(_ body: (NotificationOutbox) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(try NotificationOutbox(path: dir + "/audit.db"))
    }

    func entry(_ id: String, _ status: String, at t: Int64 = 100) -> OutboxEntry {
        OutboxEntry(findingID: id, status: status, timeNs: t, body: #"{"id":"\#(id):\#(status)"}"#)
    }

    @Test func aChangeIsQueuedOncePerSinkAndDeliveredInOrder() throws {
        try withOutbox { (outbox: NotificationOutbox) throws in
            #expect(try outbox.enqueue([entry("a", "open"), entry("b", "open")], sinks: ["s1", "s2"], nowNs: 1) == 2)
            #expect(try outbox.enqueue([entry("a", "open"), entry("a", "reconciled")], sinks: ["s1", "s2"], nowNs: 2) == 1)
            let pending = try outbox.pending(sink: "s1", limit: 10)
            #expect(pending.map { "\($0.entry.findingID):\($0.entry.status)" } == ["a:open", "b:open", "a:reconciled"])
            try outbox.markSent(sink: "s1", notificationID: pending[0].notificationID, nowNs: 3)
            try outbox.markAttempt(sink: "s1", notificationID: pending[1].notificationID, error: "HTTP 503")
            try outbox.markFailed(sink: "s1", notificationID: pending[2].notificationID, error: "HTTP 400", nowNs: 4)
            #expect(try outbox.pending(sink: "s1", limit: 10).map(\.attempts) == [1])
            #expect(try outbox.counts()["s1"] == DeliveryCounts(sent: 1, failed: 1, pending: 1))
            #expect(try outbox.counts()["s2"] == DeliveryCounts(sent: 0, failed: 0, pending: 3))
            #expect(try outbox.queuedStatuses(sinceNs: 0) == ["a": ["open", "reconciled"], "b": ["open"]])
        }
    }

    @Test func theOldestUnresolvedFindingAndWhatStillFires() throws {
        try withOutbox { (outbox: NotificationOutbox) throws in
            try outbox.enqueue([entry("a", "open", at: 10), entry("b", "open", at: 20), entry("a", "gone", at: 10)], sinks: ["s"], nowNs: 1)
            #expect(try outbox.oldestUnresolvedNs(floorNs: 0) == 20)
            #expect(try outbox.oldestUnresolvedNs(floorNs: 21) == nil)
            for p in try outbox.pending(sink: "s", limit: 10) { try outbox.markSent(sink: "s", notificationID: p.notificationID, nowNs: 2) }
            #expect(try outbox.delivered(sink: "s", latestStatusIn: ["open", "stale"], sinceNs: 0).map(\.findingID) == ["b"])
            #expect(try outbox.delivered(sink: "s", latestStatusIn: ["open", "stale"], sinceNs: 21).isEmpty)
            #expect(try outbox.unresolved(sinceNs: 0).keys.sorted() == ["b"])
            try outbox.enqueue([entry("b", "withdrawn", at: 20)], sinks: ["s"], nowNs: 3)
            #expect(try outbox.unresolved(sinceNs: 0).isEmpty)
            #expect(try outbox.oldestUnresolvedNs(floorNs: 0) == nil)
        }
    }

    @Test func eachAcknowledgementIsQueuedAndTheLatestDecidesWhatFires() throws {
        try withOutbox { (outbox: NotificationOutbox) throws in
            let firing = ["open", "stale"]
            func sendAll() throws { for p in try outbox.pending(sink: "s", limit: 10) { try outbox.markSent(sink: "s", notificationID: p.notificationID, nowNs: 2) } }
            #expect(try outbox.enqueue([entry("a", "open"), entry("a", "acknowledged@10"), entry("a", "stale@10")], sinks: ["s"], nowNs: 1) == 3)
            try sendAll()
            // Stale: still firing, refreshed.
            #expect(try outbox.delivered(sink: "s", latestStatusIn: firing, sinceNs: 0).map(\.status) == ["stale@10"])
            // Acknowledged again: queued, and no longer refreshed once sent.
            #expect(try outbox.enqueue([entry("a", "acknowledged@20")], sinks: ["s"], nowNs: 3) == 1)
            try sendAll()
            #expect(try outbox.delivered(sink: "s", latestStatusIn: firing, sinceNs: 0).isEmpty)
            #expect(try outbox.unresolved(sinceNs: 0)["a"]?.status == "acknowledged@20")
            #expect(try outbox.enqueue([entry("a", "stale@20")], sinks: ["s"], nowNs: 4) == 1)
            try sendAll()
            #expect(try outbox.delivered(sink: "s", latestStatusIn: firing, sinceNs: 0).map(\.status) == ["stale@20"])
        }
    }

    @Test func whatASinkReadsBackCarriesTheFindingsFirstAnnouncement() throws {
        try withOutbox { (outbox: NotificationOutbox) throws in
            try outbox.enqueue([entry("a", "open"), entry("b", "open"), entry("a", "stale@10")], sinks: ["s"], nowNs: 1)
            let pending = try outbox.pending(sink: "s", limit: 10)
            #expect(pending.map(\.entry.openedBody) == [entry("a", "open").body, entry("b", "open").body, entry("a", "open").body])
            for p in pending { try outbox.markSent(sink: "s", notificationID: p.notificationID, nowNs: 2) }
            let firing = try outbox.delivered(sink: "s", latestStatusIn: ["open", "stale"], sinceNs: 0)
            #expect(firing.map(\.status) == ["open", "stale@10"])
            #expect(firing.map(\.openedBody) == [entry("b", "open").body, entry("a", "open").body])
            // Without a stored first announcement, none.
            try outbox.enqueue([entry("c", "withdrawn")], sinks: ["s"], nowNs: 3)
            #expect(try outbox.pending(sink: "s", limit: 10).map(\.entry.openedBody) == [nil])
        }
    }

    @Test func theBaselineIsSetOnce() throws {
        try withOutbox { (outbox: NotificationOutbox) throws in
            #expect(try outbox.baseline(nowNs: 5) == 5)
            #expect(try outbox.baseline(nowNs: 9) == 5)
        }
    }
}
