import AuditStore
import AuditSupport
import Deployments
import Foundation
import HTTPTransport
@testable import Matcher
import Testing
@testable import Notify

/// What each sink sends, from one stored notification.
struct SinkRenderingTests {
    static let now = Timestamp(seconds: 1_764_000_100)

    func payload(_ f: Finding = NotificationPlannerTests.finding()) -> NotificationPayload {
        NotificationPayload(finding: f, host: "host-1")
    }

    func json(_ request: HTTPRequest) throws -> Any {
        guard case .post(let body, let type) = request.method else { throw SinkTestError.notAPost }
        #expect(type == "application/json")
        return try JSONSerialization.jsonObject(with: Data(body))
    }

    func time(_ value: Any?) -> Timestamp? {
        guard let text = value as? String else { return nil }
        return RFC3339.parse(text)
    }

    @Test func theStoredBodyRoundTripsWithTheSameBytes() throws {
        let p = payload()
        let body = try p.encoded()
        #expect(try NotificationPayload.decode(body) == p)
        #expect(try NotificationPayload.decode(body).encoded() == body)
        #expect(p.id == "f1:open")
        #expect(p.type == "finding.opened")
        #expect(body.contains(#""host":"host-1""#))
    }

    @Test func theWebhookIsSignedAsTheCollectorVerifiesItsOwnHooks() throws {
        let sink = WebhookSink(configuration: SinkConfiguration(kind: .webhook, url: "http://127.0.0.1:9/hook"), secret: "whsec_c2VjcmV0LWtleQ==")
        let body = try payload().encoded()
        let request = sink.request(for: payload(), body: body, now: Self.now)
        let headers = HTTPHeaderMap(request.headers.map { ($0.name, $0.value) })
        #expect(headers["webhook-id"] == "f1:open")
        let verified = try WebhookSignature.verify(.standardWebhooks, body: Array(body.utf8), headers: headers, secret: "whsec_c2VjcmV0LWtleQ==", now: Self.now)
        #expect(verified.webhookID == "f1:open")
        #expect(throws: WebhookSignatureError.self) {
            try WebhookSignature.verify(.standardWebhooks, body: Array(body.utf8), headers: headers, secret: "other", now: Self.now)
        }
    }

    @Test func alertmanagerLabelsNameTheAlertAndAnEndResolvesIt() throws {
        let sink = AlertmanagerSink(configuration: SinkConfiguration(kind: .alertmanager, url: "http://127.0.0.1:9093/"))
        let open = try #require(try json(sink.request(for: payload(), body: "", now: Self.now)) as? [[String: Any]])
        #expect(sink.alertsURL == "http://127.0.0.1:9093/api/v2/alerts")
        let labels = try #require(open.first?["labels"] as? [String: String])
        #expect(labels == ["alertname": "DockerOutOfBandChange", "finding": "f1", "severity": "high", "kind": "exec", "host": "host-1",
                           "project": "shop", "service": "api", "container": "shop_api_1"])
        let ends = try #require(time(open.first?["endsAt"]))
        #expect(ends > Self.now)

        var reconciled = NotificationPlannerTests.finding(status: .reconciled)
        reconciled.resolution = Finding.Resolution(atNs: NotificationPlannerTests.t0 + 3_000_000_000, deploymentID: "d9")
        let resolved = try #require(try json(sink.request(for: payload(reconciled), body: "", now: Self.now)) as? [[String: Any]])
        #expect(time(resolved.first?["endsAt"])?.nanoseconds == NotificationPlannerTests.t0 + 3_000_000_000)
        #expect((resolved.first?["annotations"] as? [String: String])?["deployment"] == "d9")
    }

    @Test func alertmanagerKeepsTheLabelsOfTheFirstAnnouncement() throws {
        let sink = AlertmanagerSink(configuration: SinkConfiguration(kind: .alertmanager, url: "http://127.0.0.1:9093"))
        let opened = payload()
        func labels(_ request: HTTPRequest) throws -> [[String: String]] {
            try #require(try json(request) as? [[String: Any]]).map { $0["labels"] as? [String: String] ?? [:] }
        }
        let first = try #require(try labels(sink.request(for: opened, body: "", now: Self.now)).first)
        // The same finding, since become another kind and severity, then reconciled: the alert it fired ends.
        var later = NotificationPlannerTests.finding(severity: .critical, kind: .lifecycle, status: .reconciled)
        later.resolution = Finding.Resolution(atNs: NotificationPlannerTests.t0 + 3_000_000_000, deploymentID: "d9")
        let stored: any NotificationSink = sink
        let ended = try #require(try json(stored.request(for: payload(later), body: "", opened: opened, now: Self.now)) as? [[String: Any]])
        #expect(ended.first?["labels"] as? [String: String] == first)
        #expect(time(ended.first?["endsAt"])?.nanoseconds == NotificationPlannerTests.t0 + 3_000_000_000)
        #expect((ended.first?["annotations"] as? [String: String])?["summary"]?.contains("lifecycle") == true)
        // A refresh of what the outbox holds: stale since, still under the first labels.
        var stale = NotificationPlannerTests.finding(severity: .critical, kind: .lifecycle, status: .stale)
        stale.ack = Finding.AckInfo(by: "oncall", reason: "x", atNs: NotificationPlannerTests.t0, expiresNs: NotificationPlannerTests.t0 + 1)
        let entry = OutboxEntry(findingID: "f1", status: "stale@\(NotificationPlannerTests.t0)", timeNs: NotificationPlannerTests.t0,
                                body: try payload(stale).encoded(), openedBody: try opened.encoded())
        #expect(try labels(sink.request(for: AlertmanagerSink.alerts([entry]), now: Self.now)) == [first])
    }

    @Test func slackEscapesWhatWhoeverActedChose() throws {
        var f = NotificationPlannerTests.finding()
        f.command = "sh -c 'echo <!channel> & `id`'"
        f.detail = String(repeating: "x", count: 5_000)
        let message = try #require(try json(SlackSink(configuration: SinkConfiguration(kind: .slack, url: "https://hooks.example/T/B/x"))
            .request(for: payload(f), body: "", now: Self.now)) as? [String: Any])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
        #expect(!text.contains("<!channel>"))
        #expect(text.contains("&lt;!channel&gt; &amp;"))
        #expect(!text.contains(String(repeating: "x", count: 2_000)))
        #expect((message["text"] as? String)?.contains("shop_api_1") == true)
    }

    @Test func sinksParseAndKeepTheirURLOutOfTheirName() throws {
        let slack = try SinkConfiguration.parse("slack=https://hooks.slack.com/services/T0/B0/s3cr3t")
        #expect(slack.kind == .slack)
        #expect(!slack.name.contains("s3cr3t"))
        #expect(slack.origin == "https://hooks.slack.com")
        #expect(try SinkConfiguration.parse("webhook=http://user:pw@127.0.0.1:8080/x").origin == "http://127.0.0.1:8080")
        #expect(throws: NotifyConfigurationError.self) { try SinkConfiguration.parse("pager=https://x") }
        #expect(throws: NotifyConfigurationError.self) { try SinkConfiguration.parse("webhook=ftp://x") }
        #expect(throws: NotifyConfigurationError.self) { try SinkConfiguration.parse("https://x") }
        #expect(throws: NotifyConfigurationError.self) {
            try NotifierService.Configuration(sinks: [try SinkConfiguration.parse("webhook=http://127.0.0.1:1/")], secret: nil, host: "h").validate()
        }
    }

    @Test func oneEndpointHasOneNameHoweverItsURLIsWritten() throws {
        let base = SinkConfiguration(kind: .alertmanager, url: "http://am:9093")
        for url in ["http://am:9093/", "http://am:9093/api/v2/alerts", "http://am:9093/api/v2/alerts/"] {
            #expect(SinkConfiguration(kind: .alertmanager, url: url).name == base.name, "\(url)")
            #expect(AlertmanagerSink(configuration: SinkConfiguration(kind: .alertmanager, url: url)).alertsURL == "http://am:9093/api/v2/alerts")
        }
        #expect(SinkConfiguration(kind: .webhook, url: "http://h/hook/").name == SinkConfiguration(kind: .webhook, url: "http://h/hook").name)
        #expect(SinkConfiguration(kind: .webhook, url: "http://h/other").name != SinkConfiguration(kind: .webhook, url: "http://h/hook").name)
        #expect(base.name.wholeMatch(of: /alertmanager:[0-9a-f]{8}/) != nil)
        #expect(throws: NotifyConfigurationError.self) {
            try NotifierService.Configuration(sinks: [try SinkConfiguration.parse("alertmanager=http://am:9093"),
                                                      try SinkConfiguration.parse("alertmanager=http://am:9093/api/v2/alerts")], secret: nil, host: "h").validate()
        }
    }
}

enum SinkTestError: Error { case notAPost }
