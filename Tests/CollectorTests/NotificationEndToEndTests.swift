import AuditStore
import AuditSupport
import Deployments
import Foundation
import Testing

/// `audit collect --notify …` against the private engine, a loopback receiver for the webhook and
/// Slack sinks, and a real Prometheus Alertmanager: what an operator is told, how fast, and that a
/// sink that is down or a collector killed with `kill -9` loses nothing and repeats nothing.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct NotificationEndToEndTests {
    static let secret = "whsec_" + Data("notify-test-secret".utf8).base64EncodedString()

    func compose(_ p: String, _ arguments: [String]) -> [String] { ["docker-compose", "-p", p] + AttributionScenarioTests.files + arguments }

    func deploy(_ db: String, project p: String, id: String, _ command: [String], env: [String: String]) async throws {
        try await TestEngine.run([TestEngine.auditBinary, "deploy", "--db", db, "--project", p, "--id", id, "--"] + command, environment: env)
    }

    /// The webhook deliveries about containers named `about…` that verify under the secret, as
    /// (webhook-id, body). Other suites run beside this one on the same engine, and their changes are
    /// findings to this collector too: every check looks at its own containers only.
    func verifiedWebhooks(_ receiver: LoopbackReceiver, about: String) throws -> [(id: String, body: [String: Any])] {
        try receiver.requests.filter { $0.path == "/hook" }.map { request in
            let verified = try WebhookSignature.verify(.standardWebhooks, body: request.body, headers: HTTPHeaderMap(request.headers),
                                                       secret: Self.secret, now: .now())
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            return (verified.webhookID ?? "", body)
        }.filter { (container($0.body)["name"] as? String)?.hasPrefix(about) == true }
    }

    /// Every request about a container named `about…`, whatever the sink (a `why` may name another
    /// project's deployment, so the container's own name is what counts).
    func requests(_ receiver: LoopbackReceiver, about: String) -> [LoopbackReceiver.Request] {
        receiver.requests.filter { request in
            guard let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else { return false }
            if let text = json["text"] as? String { return text.contains(": \(about)") }
            return (container(json)["name"] as? String)?.hasPrefix(about) == true
        }
    }

    /// The outbox's deliveries still pending for the sink of `kind` about containers named `about…`.
    func pending(_ db: String, kind: String, about: String) throws -> Int {
        let outbox = try NotificationOutbox(path: db)
        guard let sink = try outbox.counts().keys.first(where: { $0.hasPrefix(kind + ":") }) else { return 0 }
        return try outbox.pending(sink: sink, limit: 10_000).filter { $0.entry.body.contains("\"name\":\"\(about)") }.count
    }

    func finding(_ body: [String: Any]) -> [String: Any] { body["finding"] as? [String: Any] ?? [:] }
    func container(_ body: [String: Any]) -> [String: Any] { finding(body)["container"] as? [String: Any] ?? [:] }

    @Test func anOutOfBandExecFiresInAlertmanagerWithinTenSecondsAndResolvesAfterARecreatingDeploy() async throws {
        let host = try TestEngine.requireHost()
        let env = ["DOCKER_HOST": host]
        let p = "ntf\(UInt16.random(in: 0...UInt16.max))"
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            try "\(Self.secret)\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            let alertmanager = try await AlertmanagerProcess(directory: dir)
            defer { alertmanager.stop() }
            let receiver = LoopbackReceiver()
            try await receiver.start()
            defer { TestEngine.cleanup(compose(p, ["down", "-t", "1"]), environment: env) }
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log", arguments: [
                "--notify", "alertmanager=\(alertmanager.url)", "--notify", "webhook=\(receiver.url)/hook",
                "--notify", "slack=\(receiver.url)/slack", "--notify-secret-file", dir + "/notify.secret",
            ])
            try await collector.waitUntilLive()

            // The deployment's own creates and starts, and the api's health probes every 2 s: nothing.
            try await deploy(db, project: p, id: "\(p)-1", compose(p, ["up", "-d"]), env: env)
            try await Task.sleep(for: .seconds(8))
            #expect(requests(receiver, about: p).isEmpty, "\(requests(receiver, about: p).map(\.text))")
            #expect(try await alertmanager.alerts().filter { ($0["labels"] as? [String: String])?["project"] == p }.isEmpty)

            let execAt = ContinuousClock.now
            try await TestEngine.docker("exec", "\(p)_api_1", "sh", "-c", "echo hotfix API_TOKEN=hunter2 > /tmp/fix")
            var alert: [String: Any] = [:]
            try await eventually("an active exec alert in alertmanager", timeout: .seconds(15)) {
                alert = try await alertmanager.alerts().first { ($0["labels"] as? [String: String])?["container"] == "\(p)_api_1" } ?? [:]
                return !alert.isEmpty
            }
            let elapsed = ContinuousClock.now - execAt
            print("notify: docker exec to an active Alertmanager alert in \(elapsed)")
            #expect(elapsed < .seconds(10))
            let labels = alert["labels"] as? [String: String] ?? [:]
            #expect(labels["alertname"] == "DockerOutOfBandChange")
            #expect(labels["kind"] == "exec")
            #expect(labels["severity"] == "high")
            #expect(labels["project"] == p)
            #expect(labels["service"] == "api")
            #expect((alert["status"] as? [String: Any])?["state"] as? String == "active")
            let annotations = alert["annotations"] as? [String: String] ?? [:]
            #expect(annotations["command"]?.contains("API_TOKEN=***") == true, "\(annotations)")
            #expect(annotations["why"]?.isEmpty == false)
            let findingID = try #require(labels["finding"])

            // The same finding, signed, on the webhook; and on Slack.
            try await eventually("the webhook and Slack deliveries", timeout: .seconds(10)) {
                try verifiedWebhooks(receiver, about: p).count == 1 && requests(receiver, about: p).contains { $0.path == "/slack" }
            }
            let opened = try #require(try verifiedWebhooks(receiver, about: p).first)
            #expect(opened.id == "\(findingID):open")
            #expect(opened.body["id"] as? String == opened.id)
            #expect(opened.body["type"] as? String == "finding.opened")
            #expect(opened.body["host"] as? String == ReportCommandHost.name)
            #expect(finding(opened.body)["kind"] as? String == "exec")
            #expect(finding(opened.body)["severity"] as? String == "high")
            #expect(finding(opened.body)["status"] as? String == "open")
            #expect((finding(opened.body)["command"] as? String)?.contains("API_TOKEN=***") == true)
            #expect(finding(opened.body)["why"] as? String != nil)
            #expect(container(opened.body)["name"] as? String == "\(p)_api_1")
            #expect(container(opened.body)["project"] as? String == p)
            #expect((opened.body["report"] as? [String: Any])?["command"] as? String != nil)
            #expect(!receiver.requests.contains { $0.text.contains("hunter2") })
            let slack = try #require(requests(receiver, about: p).first { $0.path == "/slack" })
            let message = try #require(try JSONSerialization.jsonObject(with: Data(slack.body)) as? [String: Any])
            #expect((message["text"] as? String)?.contains("\(p)_api_1") == true)
            #expect((message["blocks"] as? [Any])?.isEmpty == false)

            // A deployment that recreates the container reconciles it: resolved in Alertmanager, announced on the webhook.
            try await Task.sleep(for: .seconds(1))
            try await deploy(db, project: p, id: "\(p)-2", compose(p, ["up", "-d", "--force-recreate"]), env: env)
            try await eventually("the alert resolved", timeout: .seconds(20)) {
                try await !alertmanager.alerts().contains { ($0["labels"] as? [String: String])?["finding"] == findingID }
            }
            try await eventually("the reconciliation on the webhook", timeout: .seconds(10)) {
                try verifiedWebhooks(receiver, about: p).contains { $0.id == "\(findingID):reconciled" }
            }
            let reconciled = try #require(try verifiedWebhooks(receiver, about: p).first { $0.id == "\(findingID):reconciled" })
            #expect(finding(reconciled.body)["deployment"] as? String == "\(p)-2")
            // Nothing else: the recreate is in band, and no notification arrived twice.
            let ids = try verifiedWebhooks(receiver, about: p).map(\.id)
            #expect(ids == ["\(findingID):open", "\(findingID):reconciled"])
            #expect(try await collector.stop() == 0)
            await receiver.stop()
        }
    }

    @Test func driftFoundByTheContinuousCheckTakesTheSamePath() async throws {
        let host = try TestEngine.requireHost()
        let env = ["DOCKER_HOST": host]
        let p = "ntd\(UInt16.random(in: 0...UInt16.max))"
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            try "\(Self.secret)\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            let receiver = LoopbackReceiver()
            try await receiver.start()
            defer { TestEngine.cleanup(compose(p, ["down", "-t", "1"]), environment: env) }
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log", arguments: [
                "--notify", "webhook=\(receiver.url)/hook", "--notify-secret-file", dir + "/notify.secret", "--notify-min-severity", "low",
                "--compose-file", DriftIntegrationTests.fixtures + "/docker-compose.yml",
                "--compose-file", DriftIntegrationTests.fixtures + "/docker-compose.production.yml", "-p", p, "--drift-interval", "2s",
            ])
            try await collector.waitUntilLive()
            try await deploy(db, project: p, id: "\(p)-1", compose(p, ["up", "-d"]), env: env)
            try await TestEngine.docker("update", "--memory", "128m", "--memory-swap", "256m", "\(p)_api_1")

            func drift() throws -> [(id: String, body: [String: Any])] {
                try verifiedWebhooks(receiver, about: "\(p)_api_1").filter { finding($0.body)["kind"] as? String == "config-drift" }
            }
            try await eventually("the memory drift announced", timeout: .seconds(20)) { try !drift().isEmpty }
            let opened = try #require(try drift().first)
            let driftID = try #require(finding(opened.body)["id"] as? String)
            #expect(driftID.hasPrefix("drift-"))
            #expect(opened.id == "\(driftID):open")
            #expect((finding(opened.body)["changes"] as? [String])?.first == "memory 64 MiB → 128 MiB", "\(opened.body)")
            // The update itself is an out-of-band finding of its own, announced beside the drift.
            #expect(try verifiedWebhooks(receiver, about: "\(p)_api_1").contains { finding($0.body)["kind"] as? String == "update" })

            // The next deployment recreates the container as the manifest says: the drift check closes it.
            try await deploy(db, project: p, id: "\(p)-2", compose(p, ["up", "-d", "--force-recreate"]), env: env)
            try await eventually("the drift reconciled", timeout: .seconds(20)) {
                try drift().contains { $0.id == "\(driftID):reconciled" }
            }
            try await Task.sleep(for: .seconds(3))
            #expect(try drift().map(\.id) == ["\(driftID):open", "\(driftID):reconciled"])
            #expect(try await collector.stop() == 0)
            await receiver.stop()
        }
    }

    @Test func aSinkDownForTwentySecondsGetsTheNotificationOnceItIsBack() async throws {
        let host = try TestEngine.requireHost()
        let name = TestEngine.uniqueName("notify-down")
        try await withTemporaryDirectory { dir in
            try "\(Self.secret)\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            let receiver = LoopbackReceiver()
            let port = Int.random(in: 12_000...19_999)
            let collector = try CollectorProcess(dbPath: dir + "/audit.db", dockerHost: host, logPath: dir + "/collect.log", arguments: [
                "--notify", "webhook=\(receiver.url)/hook", "--notify-secret-file", dir + "/notify.secret", "--listen", "\(port)", "--insecure-no-auth",
            ])
            try await collector.waitUntilLive()
            defer { TestEngine.removeContainer(name) }
            try await TestEngine.docker("run", "-d", "--name", name, "--network", "none", TestEngine.image, "sleep", "600")
            try await TestEngine.docker("exec", name, "true")
            try await eventually("the notifications pending", timeout: .seconds(15)) {
                try pending(dir + "/audit.db", kind: "webhook", about: name) == 2
            }
            let metrics = try await TestEngine.run(["curl", "-sf", "http://127.0.0.1:\(port)/metrics"])
            #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("audit_notifications_pending{sink=\"webhook\"") && !$0.hasSuffix(" 0") }, "\(metrics)")
            try await Task.sleep(for: .seconds(20))
            #expect(receiver.requests.isEmpty)
            try await receiver.start()
            try await eventually("both notifications delivered after the receiver came back", timeout: .seconds(45)) {
                try verifiedWebhooks(receiver, about: name).count >= 2
            }
            let kinds = try verifiedWebhooks(receiver, about: name).map { finding($0.body)["kind"] as? String ?? "" }
            #expect(Set(kinds) == ["unmanaged-container", "exec"])
            let after = try await TestEngine.run(["curl", "-sf", "http://127.0.0.1:\(port)/metrics"])
            #expect(after.contains("audit_notifications_sent_total{sink=\"webhook\""))
            let openExecs = after.split(separator: "\n").first { $0.hasPrefix("audit_findings_open{severity=\"high\",kind=\"exec\"} ") }
            #expect((openExecs?.split(separator: " ").last).flatMap { Int($0) } ?? 0 >= 1, "\(after)")
            #expect(after.contains("audit_notifier_evaluation_seconds "), "\(after)")
            try await Task.sleep(for: .seconds(3))
            #expect(try verifiedWebhooks(receiver, about: name).count == 2)

            // An acknowledgement that expires: acknowledged, then stale, each once.
            let exec = try #require(try verifiedWebhooks(receiver, about: name).first { finding($0.body)["kind"] as? String == "exec" })
            let findingID = try #require(finding(exec.body)["id"] as? String)
            try await TestEngine.run([TestEngine.auditBinary, "ack", findingID, "--db", dir + "/audit.db", "--reason", "incident 482",
                                      "--expires", "3s", "--by", "oncall"])
            try await eventually("acknowledged, then stale", timeout: .seconds(15)) {
                try verifiedWebhooks(receiver, about: name).filter { $0.id.hasPrefix(findingID) }.count >= 3
            }
            try await Task.sleep(for: .seconds(2))
            let changes = try verifiedWebhooks(receiver, about: name).filter { $0.id.hasPrefix(findingID) }
            #expect(changes.map { $0.body["change"] as? String ?? "" } == ["opened", "acknowledged", "stale"])
            #expect(changes.first?.id == "\(findingID):open")
            // Both keyed by the acknowledgement's time: a second acknowledgement is news of its own.
            let ackKey = try #require(changes.dropFirst().first?.id.split(separator: "@").last)
            #expect(changes.dropFirst().map(\.id) == ["\(findingID):acknowledged@\(ackKey)", "\(findingID):stale@\(ackKey)"])
            let ack = changes.dropFirst().first.map { finding($0.body)["ack"] as? [String: Any] ?? [:] } ?? [:]
            #expect(ack["by"] as? String == "oncall")
            #expect(ack["reason"] as? String == "incident 482")

            // Acknowledged again once the first expired: announced, with an idempotency key of its own.
            try await TestEngine.run([TestEngine.auditBinary, "ack", findingID, "--db", dir + "/audit.db", "--reason", "incident 483",
                                      "--expires", "1h", "--by", "oncall"])
            try await eventually("the second acknowledgement", timeout: .seconds(15)) {
                try verifiedWebhooks(receiver, about: name).filter { $0.id.hasPrefix(findingID) }.count >= 4
            }
            let again = try #require(try verifiedWebhooks(receiver, about: name).filter { $0.id.hasPrefix(findingID) }.last)
            #expect(again.body["change"] as? String == "acknowledged")
            #expect(finding(again.body)["status"] as? String == "acknowledged")
            #expect((finding(again.body)["ack"] as? [String: Any])?["reason"] as? String == "incident 483")
            #expect(again.id.hasPrefix("\(findingID):acknowledged@") && again.id != changes.dropFirst().first?.id)
            #expect(try await collector.stop() == 0)
            await receiver.stop()
        }
    }

    @Test func aDeploymentRecordThatArrivesAfterTheAnnouncementWithdrawsIt() async throws {
        let host = try TestEngine.requireHost()
        let name = TestEngine.uniqueName("notify-late")
        try await withTemporaryDirectory { dir in
            try "\(Self.secret)\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            let receiver = LoopbackReceiver()
            try await receiver.start()
            let port = Int.random(in: 12_000...19_999)
            let collector = try CollectorProcess(dbPath: dir + "/audit.db", dockerHost: host, logPath: dir + "/collect.log", arguments: [
                "--notify", "webhook=\(receiver.url)/hook", "--notify-secret-file", dir + "/notify.secret", "--listen", "\(port)", "--insecure-no-auth",
            ])
            try await collector.waitUntilLive()
            defer { TestEngine.removeContainer(name) }
            try await TestEngine.docker("run", "-d", "--name", name, "--network", "none", TestEngine.image, "sleep", "600")
            // Further from the record than its tolerance (2 s, widened to 5 s for a record received that
            // late): the creation stays a finding.
            try await Task.sleep(for: .seconds(7))
            let before = Date()
            try await TestEngine.docker("exec", name, "true")
            let after = Date()
            try await eventually("the exec announced", timeout: .seconds(15)) {
                try verifiedWebhooks(receiver, about: name).contains { finding($0.body)["kind"] as? String == "exec" }
            }
            let exec = try #require(try verifiedWebhooks(receiver, about: name).first { finding($0.body)["kind"] as? String == "exec" })
            let findingID = try #require(finding(exec.body)["id"] as? String)

            // The pipeline's record of that minute arrives late: it covers the exec, which is no finding any more.
            let format = ISO8601DateFormatter()
            format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let record = #"{"id":"late-1","status":"success","started_at":"\#(format.string(from: before.addingTimeInterval(-0.5)))","finished_at":"\#(format.string(from: after.addingTimeInterval(0.5)))"}"#
            try await TestEngine.run(["curl", "-sf", "-X", "POST", "-H", "Content-Type: application/json", "-d", record, "http://127.0.0.1:\(port)/v1/deployments"])
            try await eventually("the exec withdrawn", timeout: .seconds(10)) {
                try verifiedWebhooks(receiver, about: name).contains { $0.id == "\(findingID):withdrawn" }
            }
            try await Task.sleep(for: .seconds(3))
            let withdrawn = try verifiedWebhooks(receiver, about: name).filter { $0.id.hasSuffix(":withdrawn") }
            #expect(withdrawn.map(\.id) == ["\(findingID):withdrawn"], "only the exec: the container's creation lies outside the record")
            #expect(withdrawn.first?.body["type"] as? String == "finding.withdrawn")
            #expect(try await collector.stop() == 0)
            await receiver.stop()
        }
    }

    @Test func aSinkThatRefusesThePayloadIsToldOnceAndTheAnswerLogged() async throws {
        let host = try TestEngine.requireHost()
        let name = TestEngine.uniqueName("notify-refused")
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            try "\(Self.secret)\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            let receiver = LoopbackReceiver()
            try await receiver.start()
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log", arguments: [
                "--notify", "webhook=\(receiver.url)/refuse/s3cr3t-path", "--notify-secret-file", dir + "/notify.secret",
                "--notify", "alertmanager=http://127.0.0.1:9/down/s3cr3t-path",
            ])
            try await collector.waitUntilLive()
            defer { TestEngine.removeContainer(name) }
            try await TestEngine.docker("run", "-d", "--name", name, "--network", "none", TestEngine.image, "sleep", "600")
            try await TestEngine.docker("exec", name, "true")
            try await eventually("both notifications refused", timeout: .seconds(20)) {
                requests(receiver, about: name).count >= 2
            }
            try await Task.sleep(for: .seconds(3))
            #expect(requests(receiver, about: name).count == 2, "a 400 is not retried: \(requests(receiver, about: name).map(\.path))")
            #expect(try pending(db, kind: "webhook", about: name) == 0)
            #expect(try pending(db, kind: "alertmanager", about: name) == 2, "the unreachable sink keeps retrying")
            let failed = try NotificationOutbox(path: db).counts().first { $0.key.hasPrefix("webhook:") }?.value
            #expect(failed?.failed ?? 0 >= 2 && failed?.sent == 0, "\(String(describing: failed))")
            #expect(collector.log.contains("sink refused the notification; not retried"), "\(collector.log)")
            #expect(collector.log.contains("HTTP 400: bad payload: unknown field"), "\(collector.log)")
            // A sink's URL may be its credential: neither the log nor the store's errors show its path.
            #expect(!collector.log.contains("s3cr3t-path"), "\(collector.log)")
            #expect(!collector.log.contains(Self.secret), "the signing secret reached the log")
            #expect(try await collector.stop() == 0)
            await receiver.stop()
        }
    }

    @Test func aHungSinkHoldsNeitherTheStreamNorTheOtherSinks() async throws {
        let host = try TestEngine.requireHost()
        let name = TestEngine.uniqueName("notify-hung")
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            try "\(Self.secret)\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            let receiver = LoopbackReceiver()
            try await receiver.start()
            let collector = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log", arguments: [
                "--notify", "webhook=\(receiver.url)/hang", "--notify", "slack=\(receiver.url)/slack", "--notify-secret-file", dir + "/notify.secret",
            ])
            try await collector.waitUntilLive()
            defer { TestEngine.removeContainer(name) }
            try await TestEngine.docker("run", "-d", "--name", name, "--network", "none", TestEngine.image, "sleep", "600")
            let hungFrom = ContinuousClock.now
            try await TestEngine.docker("exec", name, "true")
            try await eventually("the hung sink holding a notification", timeout: .seconds(15)) {
                receiver.requests.contains { $0.path == "/hang" }
            }
            // While it hangs: the other sink gets both, and new events are stored within the writer's 250 ms.
            try await eventually("the Slack sink served beside the hung one", timeout: .seconds(5)) {
                requests(receiver, about: name).filter { $0.path == "/slack" }.count == 2
            }
            for i in 1...3 {
                try await TestEngine.docker("exec", name, "echo", "still-recorded-\(i)")
                let exec = ContinuousClock.now
                try await eventually("exec \(i) stored while the sink hangs", timeout: .seconds(2)) {
                    try await TestEngine.run([TestEngine.auditBinary, "events", "--db", db, "--since", "1m", "--container", name, "--format", "json"])
                        .contains("still-recorded-\(i)")
                }
                #expect(ContinuousClock.now - exec < .seconds(2))
            }
            // Each attempt is cut at 10 s and retried: the same notification again, not a hang forever.
            try await eventually("the hung request retried after its 10 s bound", timeout: .seconds(25)) {
                let hung = receiver.requests.filter { $0.path == "/hang" }
                return hung.count >= 2 && hung[1].headers["webhook-id"] == hung[0].headers["webhook-id"]
            }
            let hung = receiver.requests.filter { $0.path == "/hang" }
            #expect(hung[1].receivedAt - hung[0].receivedAt >= .seconds(10), "retried before the request's bound")
            #expect(ContinuousClock.now - hungFrom < .seconds(40))
            #expect(try await collector.stop() == 0)
            await receiver.stop()
        }
    }

    @Test func aCollectorKilledAfterWritingAndBeforeSendingSendsOnceAfterItsRestart() async throws {
        let host = try TestEngine.requireHost()
        let name = TestEngine.uniqueName("notify-kill")
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            try "\(Self.secret)\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            let receiver = LoopbackReceiver()
            let arguments = ["--notify", "webhook=\(receiver.url)/hook", "--notify-secret-file", dir + "/notify.secret"]
            let first = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log", arguments: arguments)
            try await first.waitUntilLive()
            defer { TestEngine.removeContainer(name) }
            try await TestEngine.docker("run", "-d", "--name", name, "--network", "none", TestEngine.image, "sleep", "600")
            try await TestEngine.docker("exec", name, "true")
            // Written to the outbox, not sent (nothing listens yet): then killed.
            try await eventually("both notifications in the outbox", timeout: .seconds(15)) {
                try pending(db, kind: "webhook", about: name) == 2
            }
            try await first.killHard()
            try await receiver.start()
            let second = try CollectorProcess(dbPath: db, dockerHost: host, logPath: dir + "/collect.log", arguments: arguments)
            try await eventually("both notifications delivered after the restart", timeout: .seconds(20)) {
                try verifiedWebhooks(receiver, about: name).count >= 2
            }
            try await Task.sleep(for: .seconds(4))
            let ids = try verifiedWebhooks(receiver, about: name).map(\.id)
            #expect(ids.count == 2 && Set(ids).count == 2, "\(ids)")
            #expect(try pending(db, kind: "webhook", about: name) == 0)
            #expect(try await second.stop() == 0)
            await receiver.stop()
        }
    }
}

/// The host name the collector puts in notifications: the machine's.
enum ReportCommandHost {
    static var name: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
