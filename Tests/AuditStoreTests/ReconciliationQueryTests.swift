import AuditSupport
import Deployments
import Logging
import Testing
@testable import AuditStore
@testable import DockerAPI

/// What the report's attribution and reconciliation read: when a record was received, every create of
/// a compose container however old (migration 005's index).
@Suite struct ReconciliationQueryTests {
    let logger = Logger(label: "test")

    @Test func deploymentsCarryWhenTheStoreReceivedThem() async throws {
        try await withTemporaryStore { path in
            let started = RFC3339.parse("2026-12-01T22:04:24Z")!
            let record = DeploymentRecord(id: "w1", source: .webhook, project: "shop", status: .inProgress, startedAt: started)
            _ = try DeploymentRepository(path: path).store(record, deliveryID: nil, now: started.nanoseconds + 3_500_000_000)
            var done = record
            done.status = .success
            done.finishedAt = started.adding(nanoseconds: 60_000_000_000)
            // A later post updates the record, not its first receipt.
            _ = try DeploymentRepository(path: path).store(done, deliveryID: nil, now: started.nanoseconds + 90_000_000_000)
            let read = try #require(try StoreReader(path: path).deployments(fromNs: 0, toNs: .max).first)
            #expect(read.receivedAt == started.adding(nanoseconds: 3_500_000_000))
            #expect(read.status == .success)
        }
    }

    @Test func everyComposeContainerCreateThroughItsIndex() async throws {
        try await withTemporaryStore { path in
            let writer = try EventWriter(path: path, logger: logger)
            writer.enqueue(events: [
                event("create", actor: "c1", at: 1_000), event("start", actor: "c1", at: 1_001),
                event("create", actor: "c2", at: 2_000),
                DockerEvent(type: "container", action: "create", actorID: "plain", attributes: Attributes(["name": "adhoc"]), timeNano: 3_000),
            ], source: .stream)
            await writer.close()
            let reader = try StoreReader(path: path)
            #expect(try reader.composeContainerCreates().map(\.actorID) == ["c1", "c2"])
            let plan = try reader.db.prepare("""
                EXPLAIN QUERY PLAN SELECT e.time_ns FROM events e JOIN actors a ON a.id = e.actor
                WHERE a.type = 'container' AND a.project IS NOT NULL AND e.action = 'create'
                """)
            var details: [String] = []
            try plan.forEachRow { details.append($0.string(3) ?? "") }
            #expect(details.contains { $0.contains("events_creates") }, "\(details)")
        }
    }
}
