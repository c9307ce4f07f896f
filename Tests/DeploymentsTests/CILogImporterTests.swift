import AuditSupport
import Crypto
import Testing
@testable import Deployments

@Suite struct CILogImporterTests {
    private func time(_ text: String) -> Timestamp { RFC3339.parse(text)! }

    private func expectedID(_ format: String, _ command: String, _ start: String, _ commit: String) -> String {
        let material = [format, command, RFC3339.format(time(start)), commit].joined(separator: "\n")
        let stamp = start.prefix { $0 != "." && $0 != "Z" }.filter { $0 != "-" && $0 != ":" }
        return "log-import-\(stamp)Z-" + SHA256.hash(data: Array(material.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    private typealias Step = DeploymentRecord.Step

    @Test func aGitHubActionsJobIsOneDeploymentWithAStepPerCommand() throws {
        let defaults = CILogImporter.Defaults(project: "fallback", environment: "production", host: "prod-docker-1", commit: "279484c0")
        let r = try CILogImporter.import(format: .githubActions, text: Fixture.text("github-actions-deploy.log"), defaults: defaults)
        let compose = "docker compose -p \"$STACK\" up -d --wait api worker"
        let run = "docker run --rm --name shop-migrate --network shop_default -e DATABASE_URL=postgres://db/shop ghcr.io/acme/shop-api:1.4.2 migrate --to latest"
        #expect(r == DeploymentRecord(
            id: expectedID("github-actions", compose, "2024-05-01T10:00:05Z", "279484c0"), source: .logImport,
            environment: "production", host: "prod-docker-1", project: "shop", services: nil,
            images: ["shop-migrate": "ghcr.io/acme/shop-api:1.4.2"], commit: "279484c0",
            status: .failure, startedAt: time("2024-05-01T10:00:05Z"), finishedAt: time("2024-05-01T10:00:15.7Z"),
            touched: ["shop-api-1", "shop-worker-1", "shop-migrate"],
            steps: [
                // The compose step ran until the next step's `##[group]Run`; db was only found running.
                Step(command: compose, startedAt: time("2024-05-01T10:00:05Z"), finishedAt: time("2024-05-01T10:00:15Z"),
                     touched: ["shop-api-1", "shop-worker-1"]),
                // The last step ran until the runner's post-job lines.
                Step(command: run, startedAt: time("2024-05-01T10:00:15Z"), finishedAt: time("2024-05-01T10:00:15.7Z"), touched: ["shop-migrate"]),
            ]
        ))
    }

    @Test func aStepLastsUntilTheNextStepBegins() throws {
        let r = try CILogImporter.import(format: .githubActions, text: Fixture.text("github-actions-pull-steps.log"))
        // `ps` and `logs` only read: not steps, but their start still ends the step before.
        #expect(r.steps?.map(\.command) == ["docker compose -p shop pull", "docker compose -p shop up -d"])
        let pull = try #require(r.steps?.first)
        #expect(pull.startedAt == time("2026-12-01T09:41:07.04Z"))
        #expect(pull.finishedAt == time("2026-12-01T09:41:31.2Z"))
        #expect(pull.touched == nil)
        let up = try #require(r.steps?.last)
        #expect(up.startedAt == time("2026-12-01T09:41:32Z"))
        #expect(up.finishedAt == time("2026-12-01T09:41:36Z"))
        #expect(up.touched == ["shop-api-1"])
        #expect(r.startedAt == pull.startedAt)
        #expect(r.finishedAt == up.finishedAt)
        #expect(r.project == "shop")
        #expect(r.status == .success)
        #expect(r.id.hasPrefix("log-import-20261201T094107Z-"))
    }

    @Test func importingTwiceYieldsTheSameID() throws {
        let text = try Fixture.text("github-actions-deploy.log")
        let first = try CILogImporter.import(format: .githubActions, text: text).id
        #expect(try CILogImporter.import(format: .githubActions, text: text).id == first)
        #expect(try CILogImporter.import(format: .githubActions, text: text, defaults: .init(commit: "abc")).id != first)
    }

    @Test func gitlabTraceWithoutLineTimesUsesSectionMarkers() throws {
        let r = try CILogImporter.import(format: .gitlab, text: Fixture.text("gitlab-deploy.log"))
        #expect(r.steps?.count == 2)
        #expect(r.project == "shop")
        #expect(r.steps?.map(\.touched) == [["shop-api-1"], ["shop-legacy-1"]])
        #expect(r.status == .success)
        #expect(r.startedAt == Timestamp(seconds: 1_714_557_605))
        #expect(r.finishedAt == Timestamp(seconds: 1_714_557_641))
        #expect(r.note == "times from section markers, no per-line timestamps")
    }

    @Test func gitlabTraceWithLineTimesAndAFailedJob() throws {
        let r = try CILogImporter.import(format: .gitlab, text: Fixture.text("gitlab-deploy-timestamps.log"))
        // `docker compose -p shop ps` in after_script is not a deployment command.
        #expect(r.steps?.count == 1)
        #expect(r.project == "shop")
        #expect(r.services == nil)
        #expect(r.touched == ["shop-api-1"])
        #expect(r.startedAt == time("2024-05-01T10:00:03.5Z"))
        // The step ran until its section ended.
        #expect(r.finishedAt == time("2024-05-01T10:00:36.25Z"))
        #expect(r.note == nil)
        // `ERROR: Job failed` comes after after_script; the blame stays with the script's last command.
        #expect(r.status == .failure)
    }

    @Test func jenkinsLog() throws {
        let r = try CILogImporter.import(format: .jenkins, text: Fixture.text("jenkins-deploy.log"))
        #expect(r.steps?.count == 1)
        #expect(r.project == "shop")
        #expect(r.startedAt == time("2018-09-28T22:49:04.427Z"))
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
        let r = try CILogImporter.import(format: .jenkins, text: log)
        #expect(r.project == "shop")
        #expect(r.status == .failure)
        // The step ends where the `[Pipeline]` boundary began.
        #expect(r.finishedAt == time("2018-09-28T22:49:06Z"))
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
        let r = try CILogImporter.import(format: .githubActions, text: log, defaults: .init(project: "shop"))
        #expect(r.steps?.map(\.command) == ["docker compose pull", "docker compose up -d"])
        for step in r.steps ?? [] {
            #expect(step.startedAt == time("2024-05-01T10:00:00Z"))
            #expect(step.finishedAt == time("2024-05-01T10:00:09Z"))
            #expect(step.touched == ["shop-api-1"])
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
        let r = try CILogImporter.import(format: .plain, text: log)
        #expect(r.steps?.count == 2)
        #expect(r.images == ["shop_api": "ghcr.io/acme/api:1.4.2"])
        #expect(r.status == .failure)
        #expect(r.steps?.first?.finishedAt == time("2024-05-01T10:00:30Z"))
        #expect(r.steps?.last?.touched == ["shop-old"])
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
