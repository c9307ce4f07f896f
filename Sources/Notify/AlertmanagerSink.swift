import AuditStore
import AuditSupport
import HTTPTransport

/// `--notify alertmanager=URL`: Prometheus Alertmanager's `POST /api/v2/alerts`. The labels name the
/// alert (`alertname=DockerOutOfBandChange`, `finding`, `severity`, `kind`, `host`, `project`,
/// `service`, `container`): posting the same labels again updates one alert, never makes a second.
/// They are the finding's as first announced (its `opened` notification) in every later post of it,
/// refreshes included: a finding whose kind or severity changed under the same id still ends the
/// alert it fired, rather than resolving another label set and leaving the first to fire.
///
/// Alertmanager forgets an alert whose `endsAt` passes, and keeps none across its own restart; as
/// Prometheus does, a firing alert is posted again every `refreshInterval` with an `endsAt` a few
/// intervals ahead. A reconciled or gone finding is posted with `endsAt` at its end, which resolves
/// it; an acknowledged one at the acknowledgement (an ack is the finding's silence), a withdrawn one
/// now, and a stale one fires again.
struct AlertmanagerSink: NotificationSink {
    let configuration: SinkConfiguration

    static let alertName = "DockerOutOfBandChange"
    static let refreshInterval: Duration = .seconds(60)
    /// How long a firing alert lasts without a refresh: five refreshes, so a collector that stops
    /// lets its alerts lapse within minutes rather than fire forever.
    static let firingLeaseNs: Int64 = 5 * 60 * 1_000_000_000

    /// The alerts endpoint: the URL as given when it already names it, else Alertmanager's base URL.
    var alertsURL: String { SinkConfiguration.endpoint(.alertmanager, configuration.url) }

    /// One alert to post: a notification and its finding's first announcement, whose labels it keeps
    /// (nil: its own, as for the first announcement itself).
    struct Alert {
        var payload: NotificationPayload
        var opened: NotificationPayload?
    }

    /// The alerts of notifications read back from the outbox, each with its `open` row's labels.
    static func alerts(_ entries: [OutboxEntry]) -> [Alert] {
        entries.compactMap { entry in
            (try? NotificationPayload.decode(entry.body)).map { Alert(payload: $0, opened: entry.openedBody.flatMap { try? NotificationPayload.decode($0) }) }
        }
    }

    func request(for payload: NotificationPayload, body: String, now: Timestamp) -> HTTPRequest {
        request(for: [Alert(payload: payload, opened: nil)], now: now)
    }

    func request(for payload: NotificationPayload, body: String, opened: NotificationPayload?, now: Timestamp) -> HTTPRequest {
        request(for: [Alert(payload: payload, opened: opened)], now: now)
    }

    /// One post for several alerts (the refresh of every firing one).
    func request(for alerts: [Alert], now: Timestamp) -> HTTPRequest {
        var w = JSONWriter(capacity: 1024 * alerts.count)
        w.beginArray()
        for alert in alerts { Self.alert(&w, alert.payload, labelsOf: alert.opened ?? alert.payload, now: now) }
        w.endArray()
        return HTTPRequest(url: alertsURL, method: .post(body: Array(w.text.utf8), contentType: "application/json"),
                           headers: [(name: "User-Agent", value: NotificationSinks.userAgent)],
                           timeoutSeconds: NotificationSinks.requestTimeoutSeconds)
    }

    static func isFiring(_ change: NotificationPayload.Change) -> Bool { change == .opened || change == .stale }

    private static func alert(_ w: inout JSONWriter, _ payload: NotificationPayload, labelsOf first: NotificationPayload, now: Timestamp) {
        let f = payload.finding
        let startsNs = f.timeNano
        let endsNs: Int64
        switch payload.change {
        case .opened, .stale: endsNs = now.nanoseconds + firingLeaseNs
        case .acknowledged: endsNs = f.ack?.atNs ?? now.nanoseconds
        case .reconciled, .gone: endsNs = f.resolution?.atNs ?? now.nanoseconds
        case .withdrawn: endsNs = now.nanoseconds
        }
        w.beginObject()
        w.key("labels")
        w.beginObject()
        // An empty label value is no label to Alertmanager: leave out what the finding lacks.
        let l = first.finding
        let labels: [(String, String?)] = [
            ("alertname", alertName), ("finding", l.id), ("severity", l.severity.rawValue), ("kind", l.kind.rawValue),
            ("host", first.host), ("project", l.container.project), ("service", l.container.service),
            ("container", l.container.name ?? String(l.container.id.prefix(12))),
        ]
        for case let (name, value?) in labels where !value.isEmpty { w.field(name, value) }
        w.endObject()
        w.key("annotations")
        w.beginObject()
        let annotations: [(String, String?)] = [
            ("summary", "out-of-band \(f.kind.rawValue) on \(payload.place): \(f.detail)"), ("description", f.detail), ("why", f.why),
            ("status", payload.change == .withdrawn ? "withdrawn" : f.status.rawValue), ("command", f.command), ("user", f.user), ("deployment", f.resolution?.deploymentID),
            ("report", payload.report.command),
        ]
        for case let (name, value?) in annotations where !value.isEmpty { w.field(name, value) }
        w.endObject()
        w.field("startsAt", RFC3339.format(Timestamp(nanoseconds: startsNs)))
        // Alertmanager refuses an end before the start.
        w.field("endsAt", RFC3339.format(Timestamp(nanoseconds: max(endsNs, startsNs + 1_000_000))))
        w.endObject()
    }
}
