import AuditStore
import AuditSupport
import Deployments
import Testing

/// The bounds hold for the record as stored, not only for each post: a start long ago merged with a
/// finish now would pass every post's own check.
@Suite struct DeploymentBoundsStoreTests {
    @Test func aMergedWindowPastTheCapIsAConflictAndNothingChanges() async throws {
        try await withTemporaryStore { path in
            let repository = try DeploymentRepository(path: path)
            let now = Timestamp.now()
            let bounds = DeploymentBounds(maxWindowNs: 3_600_000_000_000)
            let start = DeploymentRecord(id: "d1", source: .webhook, status: .inProgress, startedAt: now.adding(nanoseconds: -5 * 3_600_000_000_000))
            #expect(try repository.store(start, deliveryID: "webhook:1", bodyDigest: "a", bounds: bounds, now: now.nanoseconds) != .duplicateDelivery)
            let finish = DeploymentRecord(id: "d1", source: .webhook, status: .success,
                                          startedAt: now.adding(nanoseconds: -60_000_000_000), finishedAt: now)
            // Each post alone is within its own bounds; merged, the window lasts five hours.
            #expect(throws: Never.self) { try bounds.check(finish, nowNs: now.nanoseconds) }
            guard case .recordConflict(let conflict) = try repository.store(finish, deliveryID: "webhook:2", bodyDigest: "b", bounds: bounds, now: now.nanoseconds) else {
                Issue.record("a five-hour merged window was stored")
                return
            }
            #expect(conflict.description.contains("lasts longer than 1h00m"))
            #expect(try repository.find("d1")?.status == .inProgress)
        }
    }
}
