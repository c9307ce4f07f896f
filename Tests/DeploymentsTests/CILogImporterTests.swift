import AuditSupport
import Crypto
import Testing
@testable import Deployments

@Suite struct CILogImporterTests {
    private func time(_ text: String) -> Timestamp { RFC3339.parse(text)! }

    private func expectedID(_ format: String, _ command: String, _ start: String, _ commit: String) -> String {
        let material = [format, command, RFC3339.format(time(start)), commit].joined(separator: "\n")
        return SHA256.hash(data: Array(material.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    @Test func githubActionsLog() throws {
        let defaults = CILogImporter.Defaults(project: "fallback", environment: "production", host: "prod-docker-1", commit: "279484c0")
        let records = try CILogImporter.import(format: .githubActions, text: Fixture.text("github-actions-deploy.log"), defaults: defaults)
        #expect(records.count == 2)
        let compose = "docker compose -p \"$STACK\" up -d --wait api worker"
        #expect(records[0] == DeploymentRecord(
            id: expectedID("github-actions", compose, "2024-05-01T10:00:05Z", "279484c0"), source: .logImport,
            environment: "production", host: "prod-docker-1", project: "shop", services: ["api", "worker"], commit: "279484c0",
            status: .success, startedAt: time("2024-05-01T10:00:05Z"), finishedAt: time("2024-05-01T10:00:14.6Z"),
            touched: ["shop-db-1", "shop-api-1", "shop-worker-1"]
        ))
        let run = records[1]
        #expect(run.status == .failure)
        #expect(run.project == "fallback")
        #expect(run.touched == ["shop-migrate"])
        #expect(run.images == ["shop-migrate": "ghcr.io/acme/shop-api:1.4.2"])
        #expect(run.startedAt == time("2024-05-01T10:00:15Z"))
        #expect(run.finishedAt == time("2024-05-01T10:00:15.61Z"))
        #expect(run.note == nil)
    }

    @Test func importingTwiceYieldsTheSameIDs() throws {
        let text = try Fixture.text("github-actions-deploy.log")
        let first = try CILogImporter.import(format: .githubActions, text: text).map(\.id)
        let second = try CILogImporter.import(format: .githubActions, text: text).map(\.id)
        #expect(first == second)
        #expect(Set(first).count == 2)
        #expect(first.allSatisfy { $0.count == 16 })
        let otherCommit = try CILogImporter.import(format: .githubActions, text: text, defaults: .init(commit: "abc")).map(\.id)
        #expect(Set(otherCommit).isDisjoint(with: first))
    }

    @Test func gitlabTraceWithoutLineTimesUsesSectionMarkers() throws {
        let records = try CILogImporter.import(format: .gitlab, text: Fixture.text("gitlab-deploy.log"))
        #expect(records.count == 2)
        let (compose, rm) = (records[0], records[1])
        #expect(compose.project == "shop")
        #expect(compose.services == ["api"])
        #expect(compose.touched == ["shop-db-1", "shop-api-1"])
        #expect(rm.touched == ["shop-legacy-1"])
        for record in records {
            #expect(record.status == .success)
            #expect(record.startedAt == Timestamp(seconds: 1_714_557_605))
            #expect(record.finishedAt == Timestamp(seconds: 1_714_557_641))
            #expect(record.note == "times from section markers, no per-line timestamps")
        }
    }

    @Test func gitlabTraceWithLineTimesAndAFailedJob() throws {
        let records = try CILogImporter.import(format: .gitlab, text: Fixture.text("gitlab-deploy-timestamps.log"))
        #expect(records.count == 1)
        let r = try #require(records.first)
        #expect(r.project == "shop")
        #expect(r.services == nil)
        #expect(r.touched == ["shop-db-1", "shop-api-1"])
        #expect(r.startedAt == time("2024-05-01T10:00:03.5Z"))
        #expect(r.finishedAt == time("2024-05-01T10:00:36.25Z"))
        #expect(r.note == nil)
        // `ERROR: Job failed` comes after after_script; the blame stays with the script's last command.
        #expect(r.status == .failure)
    }

    @Test func jenkinsLog() throws {
        let records = try CILogImporter.import(format: .jenkins, text: Fixture.text("jenkins-deploy.log"))
        #expect(records.count == 1)
        let r = try #require(records.first)
        #expect(r.project == "shop")
        #expect(r.touched == ["shop_api_1", "shop_worker_1", "shop_db_1"])
        #expect(r.startedAt == time("2018-09-28T22:49:04.427Z"))
        #expect(r.finishedAt == time("2018-09-28T22:49:09.881Z"))
        #expect(r.status == .success)
    }

    @Test func jenkinsFailureReportedAfterTheStep() throws {
        let log = """
            [2018-09-28T22:49:04.427Z] + docker stack deploy -c stack.yml shop
            [2018-09-28T22:49:05.000Z] Updating service shop_api (id: x1)
            [2018-09-28T22:49:06.000Z] [Pipeline] }
            [2018-09-28T22:49:06.100Z] ERROR: script returned exit code 1
            Finished: FAILURE
            """
        let r = try #require(try CILogImporter.import(format: .jenkins, text: log).first)
        #expect(r.project == "shop")
        #expect(r.status == .failure)
        #expect(r.finishedAt == time("2018-09-28T22:49:05Z"))
    }

    @Test func githubStepWithSeveralCommandsSharesItsWindow() throws {
        let log = """
            2024-05-01T10:00:00.0000000Z ##[group]Run docker compose pull
            2024-05-01T10:00:00.0000000Z docker compose pull
            2024-05-01T10:00:00.0000000Z echo pulled
            2024-05-01T10:00:00.0000000Z docker compose up -d
            2024-05-01T10:00:00.0010000Z shell: /usr/bin/bash -e {0}
            2024-05-01T10:00:00.0020000Z ##[endgroup]
            2024-05-01T10:00:09.0000000Z  Container shop-api-1  Started
            """
        let records = try CILogImporter.import(format: .githubActions, text: log, defaults: .init(project: "shop"))
        #expect(records.map(\.services) == [nil, nil])
        for r in records {
            #expect(r.startedAt == time("2024-05-01T10:00:00Z"))
            #expect(r.finishedAt == time("2024-05-01T10:00:09Z"))
            #expect(r.touched == ["shop-api-1"])
            #expect(r.note == "one of 2 deployment commands in its step: window, containers and status are the step's")
        }
    }

    @Test func plainTranscript() throws {
        let log = """
            2024-05-01T10:00:00Z $ docker service update --image ghcr.io/acme/api:1.4.2 shop_api
            2024-05-01T10:00:01Z shop_api
            2024-05-01T10:00:20Z overall progress: 2 out of 2 tasks
            [2024-05-01T10:00:30Z] + docker rm shop-old
            [2024-05-01T10:00:31Z] Error response from daemon: No such container: shop-old
            """
        let records = try CILogImporter.import(format: .plain, text: log)
        #expect(records.count == 2)
        #expect(records[0].images == ["shop_api": "ghcr.io/acme/api:1.4.2"])
        #expect(records[0].status == .success)
        #expect(records[0].finishedAt == time("2024-05-01T10:00:20Z"))
        #expect(records[1].status == .failure)
        #expect(records[1].touched == ["shop-old"])
    }

    @Test func plainWithoutTimesIsAnError() {
        #expect(throws: DeploymentInputError.noTimestamps(
            "the plain format needs an RFC 3339 time at the start of lines (2024-05-01T10:00:00Z $ docker compose up -d)"
        )) {
            try CILogImporter.import(format: .plain, text: "$ docker compose up -d\n Container shop-api-1  Started\n")
        }
    }

    @Test func logWithoutADeploymentCommandIsAnError() throws {
        do {
            _ = try CILogImporter.import(format: .gitlab, text: "$ make test\nok\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "no deployment command found: looked for docker compose up/down/restart, "
                + "docker-compose …, docker stack deploy, docker service update, docker run, docker rm")
        }
    }

    @Test func failureMarkers() {
        #expect(CommandBlocks.reportsFailure("##[error]Process completed with exit code 1."))
        #expect(CommandBlocks.reportsFailure("ERROR: Job failed: exit code 1"))
        #expect(CommandBlocks.reportsFailure("Error response from daemon: conflict"))
        #expect(CommandBlocks.reportsFailure("script returned exit code 2"))
        #expect(!CommandBlocks.reportsFailure("process finished with exit code 0"))
        #expect(!CommandBlocks.reportsFailure(" Container shop-api-1  Started"))
    }
}
