import AuditSupport
import Testing
@testable import Deployments

@Suite struct GitLabDeploymentHookTests {
    private func record(_ fixture: String) throws -> DeploymentRecord {
        let outcome = try GitLabDeploymentHook.map(body: Fixture.bytes(fixture))
        guard case .record(let record) = outcome else {
            Issue.record("expected a record, got \(outcome)")
            throw DeploymentInputError.noDeploymentCommand
        }
        return record
    }

    @Test func runningOpensTheWindowAtStatusChangedAt() throws {
        // `2021-04-28 21:50:00 +0200`
        #expect(try record("gitlab-deployment-running.json") == DeploymentRecord(
            id: "gitlab-deployment-15", source: .gitlab, environment: "production", project: "shop",
            commit: "279484c09fbe69ededfced8c1bb6e6d24616b468", ref: "main", actor: "jane",
            url: "https://gitlab.example.com/acme/shop/-/jobs/796", status: .inProgress,
            startedAt: RFC3339.parse("2021-04-28T19:50:00Z")!
        ))
    }

    @Test func successClosesTheWindow() throws {
        // `2021-04-28 19:54:30 UTC`
        let finish = try record("gitlab-deployment-success.json")
        #expect(finish.status == .success)
        #expect(finish.startedAt == RFC3339.parse("2021-04-28T19:54:30Z"))
        #expect(finish.finishedAt == RFC3339.parse("2021-04-28T19:54:30Z"))
        let merged = try record("gitlab-deployment-running.json").merged(with: finish)
        #expect(merged.startedAt == RFC3339.parse("2021-04-28T19:50:00Z"))
        #expect(merged.finishedAt == RFC3339.parse("2021-04-28T19:54:30Z"))
        #expect(merged.status == .success)
    }

    @Test func failedWithoutARunningHookStartsWhereItEnds() throws {
        // `2021-04-28T22:10:05+02:00`
        let r = try record("gitlab-deployment-failed.json")
        #expect(r.id == "gitlab-deployment-16")
        #expect(r.status == .failure)
        #expect(r.startedAt == RFC3339.parse("2021-04-28T20:10:05Z"))
        #expect(r.finishedAt == r.startedAt)
    }

    @Test func mapsStatusesAndIgnoresOthers() throws {
        func map(_ status: String, kind: String = "deployment") throws -> DeploymentWebhookOutcome {
            try GitLabDeploymentHook.map(body: Array("""
                {"object_kind":"\(kind)","status":"\(status)","deployment_id":3,"status_changed_at":"2021-04-28T19:50:00Z","short_sha":"279484c0"}
                """.utf8))
        }
        guard case .record(let canceled) = try map("canceled") else { Issue.record("no record"); return }
        #expect(canceled.status == .cancelled)
        #expect(canceled.commit == "279484c0")
        #expect(try map("created") == .ignored("deployment status created"))
        #expect(try map("success", kind: "push") == .ignored("push"))
        #expect(throws: DeploymentInputError.invalidField("status", reason: #""done" (expected running, success, failed or canceled)"#)) {
            try map("done")
        }
    }

    @Test func namesMissingFields() {
        func error(_ json: String) -> String? {
            do { _ = try GitLabDeploymentHook.map(body: Array(json.utf8)); return nil } catch { return error.description }
        }
        #expect(error(#"{"status":"running"}"#) == "missing field: object_kind")
        #expect(error(#"{"object_kind":"deployment","deployment_id":1}"#) == "missing field: status")
        #expect(error(#"{"object_kind":"deployment","status":"running","status_changed_at":"2021-04-28 19:50:00 UTC"}"#) == "missing field: deployment_id")
        #expect(error(#"{"object_kind":"deployment","status":"running","deployment_id":1}"#) == "missing field: status_changed_at")
        #expect(error(#"{"object_kind":"deployment","status":"running","deployment_id":1,"status_changed_at":"28/04/2021"}"#)
            == "invalid field status_changed_at: not an RFC 3339 time")
    }
}
