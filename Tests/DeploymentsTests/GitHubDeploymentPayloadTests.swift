import AuditSupport
import Testing
@testable import Deployments

@Suite struct GitHubDeploymentPayloadTests {
    private func record(_ event: String, _ fixture: String) throws -> DeploymentRecord {
        let outcome = try GitHubDeploymentPayload.map(event: event, body: Fixture.bytes(fixture))
        guard case .record(let record) = outcome else {
            Issue.record("expected a record, got \(outcome)")
            throw DeploymentInputError.noDeploymentCommand
        }
        return record
    }

    private func error(_ event: String, _ json: String) -> String? {
        do {
            _ = try GitHubDeploymentPayload.map(event: event, body: Array(json.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func inProgressOpensTheWindow() throws {
        let r = try record("deployment_status", "github-deployment-status-in-progress.json")
        #expect(r == DeploymentRecord(
            id: "github-deployment-1234567890", source: .github, environment: "production", host: "prod-docker-1",
            project: "shop", services: ["api", "worker"],
            images: [
                "api": "ghcr.io/acme/shop-api:1.4.2@sha256:3f1c3a8e0e9c5d1b7f3a2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
                "worker": "ghcr.io/acme/shop-worker:1.4.2",
            ],
            commit: "279484c09fbe69ededfced8c1bb6e6d24616b468", ref: "main", actor: "github-actions[bot]",
            url: "https://github.com/acme/shop/actions/runs/8912345678/job/24512345678",
            status: .inProgress, startedAt: RFC3339.parse("2024-05-01T10:00:01Z")!
        ))
    }

    @Test func successClosesItAndMergesIntoTheStart() throws {
        let start = try record("deployment_status", "github-deployment-status-in-progress.json")
        let finish = try record("deployment_status", "github-deployment-status-success.json")
        // The payload arrived as a JSON string holding an object.
        #expect(finish.project == "shop")
        #expect(finish.host == "prod-docker-1")
        #expect(finish.services == nil)
        #expect(finish.status == .success)
        #expect(finish.finishedAt == RFC3339.parse("2024-05-01T10:04:42Z"))
        let merged = try start.merged(with: finish)
        #expect(merged.id == "github-deployment-1234567890")
        #expect(merged.status == .success)
        #expect(merged.startedAt == RFC3339.parse("2024-05-01T10:00:01Z"))
        #expect(merged.finishedAt == RFC3339.parse("2024-05-01T10:04:42Z"))
        #expect(merged.services == ["api", "worker"])
    }

    @Test func deploymentEventOpensTheWindowWithTheCreator() throws {
        let r = try record("deployment", "github-deployment-status-in-progress.json")
        #expect(r.status == .inProgress)
        #expect(r.actor == "jane-doe")
        #expect(r.url == nil)
        #expect(r.finishedAt == nil)
    }

    @Test func otherEventsAreIgnored() throws {
        #expect(try GitHubDeploymentPayload.map(event: "push", body: Fixture.bytes("github-push.json")) == .ignored("push"))
        #expect(try GitHubDeploymentPayload.map(event: "ping", body: Array("{}".utf8)) == .ignored("ping"))
    }

    @Test func statesMapToStatuses() throws {
        func status(_ state: String) throws -> DeploymentRecord.Status {
            let json = """
                {"deployment":{"id":7,"created_at":"2024-05-01T10:00:00Z","payload":"not json"},
                 "deployment_status":{"state":"\(state)","created_at":"2024-05-01T10:01:00Z"},
                 "repository":{"full_name":"acme/Shop.Web"}}
                """
            guard case .record(let r) = try GitHubDeploymentPayload.map(event: "deployment_status", body: Array(json.utf8)) else {
                throw DeploymentInputError.noDeploymentCommand
            }
            #expect(r.project == "shopweb")
            #expect(r.finishedAt == (r.status.isFinal ? RFC3339.parse("2024-05-01T10:01:00Z") : nil))
            return r.status
        }
        #expect(try status("queued") == .inProgress)
        #expect(try status("pending") == .inProgress)
        #expect(try status("in_progress") == .inProgress)
        #expect(try status("success") == .success)
        #expect(try status("failure") == .failure)
        #expect(try status("error") == .failure)
        #expect(try status("inactive") == .cancelled)
    }

    @Test func namesMissingAndInvalidFields() {
        #expect(error("deployment_status", #"{"deployment_status":{"state":"success"}}"#) == "missing field: deployment")
        #expect(error("deployment_status", #"{"deployment":{"created_at":"2024-05-01T10:00:00Z"}}"#) == "missing field: deployment.id")
        #expect(error("deployment_status", #"{"deployment":{"id":1}}"#) == "missing field: deployment.created_at")
        #expect(error("deployment_status", #"{"deployment":{"id":1,"created_at":"2024-05-01T10:00:00Z"}}"#) == "missing field: deployment_status")
        #expect(error("deployment_status", #"{"deployment":{"id":1,"created_at":"2024-05-01T10:00:00Z"},"deployment_status":{}}"#)
            == "missing field: deployment_status.state")
        #expect(error("deployment_status", #"{"deployment":{"id":1,"created_at":"2024-05-01T10:00:00Z"},"deployment_status":{"state":"success"}}"#)
            == "missing field: deployment_status.created_at")
        #expect(error("deployment_status", #"{"deployment":{"id":1,"created_at":"2024-05-01T10:00:00Z"},"deployment_status":{"state":"done"}}"#)
            == #"invalid field deployment_status.state: "done" (expected queued, pending, in_progress, success, failure, error or inactive)"#)
        #expect(error("deployment", #"{"deployment":{"id":1,"created_at":"2024-05-01T10:00:00Z","payload":{"services":"api"}}}"#)
            == "invalid field deployment.payload.services: expected an array of strings, found a string")
        #expect(error("deployment", "{") == "malformed JSON: expected a quoted key, found the end of input")
    }
}
