import AuditSupport
import Deployments
import Synchronization

/// The listener's own counters, kept in process; the collector's figures come from `CollectorHealth`
/// at scrape time.
final class WebhookMetrics: Sendable {
    private struct Counts {
        var received: [DeploymentRecord.Source: Int] = [:]
        var rejections: [WebhookRejection.Reason: Int] = [:]
    }

    private let counts = Mutex(Counts())

    /// A deployment stored (created or merged), by the record's source.
    func recordReceived(_ source: DeploymentRecord.Source) {
        counts.withLock { $0.received[source, default: 0] += 1 }
    }

    func recordRejection(_ reason: WebhookRejection.Reason) {
        counts.withLock { $0.rejections[reason, default: 0] += 1 }
    }

    /// The Prometheus text exposition (version 0.0.4) of the collector's health and these counters.
    /// Every label value is listed, zeros included, so a rate() over a reason that has not happened yet
    /// reads 0 rather than no data.
    func render(_ health: CollectorHealth) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: String = "", _ value: String) {
            out += "\(name)\(labels) \(value)\n"
        }
        family("audit_events_stored_total", "counter", "Docker events stored by the collector.")
        sample("audit_events_stored_total", "", String(health.eventsStored))
        family("audit_events_quarantined_total", "counter", "Docker events set aside because they could not be decoded.")
        sample("audit_events_quarantined_total", "", String(health.quarantined))
        family("audit_events_dropped_total", "counter", "Docker events the writer gave up on (disk full past the memory bound, repeated write failures); each run is a gap.")
        sample("audit_events_dropped_total", "", String(health.eventsDropped))
        family("audit_store_full", "gauge", "1 while the store's file system refuses writes and events wait in memory.")
        sample("audit_store_full", "", health.storeFull ? "1" : "0")
        family("audit_reconnects_total", "counter", "Reconnections to the Docker event stream.")
        sample("audit_reconnects_total", "", String(health.reconnects))
        family("audit_coverage_gaps_total", "counter", "Coverage gaps recorded, in which events may have been missed.")
        sample("audit_coverage_gaps_total", "", String(health.gaps))
        // No sample until the first event: a made-up age would look like a real one on a dashboard.
        if let age = health.lastEventAgeSeconds, age.isFinite {
            family("audit_seconds_since_last_event", "gauge", "Seconds since the collector stored its last event.")
            sample("audit_seconds_since_last_event", "", String(age))
        }
        renderCounters(family: family, sample: sample)
        if let notifications = health.notifications { renderNotifications(notifications, family: family, sample: sample) }
        if let forwarding = health.forwarding { renderForwarding(forwarding, family: family, sample: sample) }
        return out
    }

    /// Without a collector (`audit serve`): whether the store answers, then the listener's counters.
    func render(_ store: DeploymentStoreHealth) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: String = "", _ value: String) {
            out += "\(name)\(labels) \(value)\n"
        }
        family("audit_deployment_store_connected", "gauge", "1 while the store the deployments go to answers.")
        sample("audit_deployment_store_connected", "", store.connected ? "1" : "0")
        // No sample before the first answer: a made-up time would read as a real one.
        if let last = store.lastSuccessSeconds {
            family("audit_deployment_store_last_success_timestamp_seconds", "gauge", "When the store the deployments go to last answered.")
            sample("audit_deployment_store_last_success_timestamp_seconds", "", String(last))
        }
        renderCounters(family: family, sample: sample)
        return out
    }

    private func renderCounters(family: (String, String, String) -> Void, sample: (String, String, String) -> Void) {
        let snapshot = counts.withLock { $0 }
        family("audit_deployments_received_total", "counter", "Deployments received over webhooks and stored, by source.")
        for source in DeploymentRecord.Source.allCases {
            sample("audit_deployments_received_total", "{source=\"\(source.rawValue)\"}", String(snapshot.received[source, default: 0]))
        }
        family("audit_webhook_rejections_total", "counter", "Webhook requests refused without storing anything, by reason.")
        for reason in WebhookRejection.Reason.allCases {
            sample("audit_webhook_rejections_total", "{reason=\"\(reason.rawValue)\"}", String(snapshot.rejections[reason, default: 0]))
        }
    }

    private func renderForwarding(_ f: ForwardingHealth, family: (String, String, String) -> Void, sample: (String, String, String) -> Void) {
        family("audit_forward_connected", "gauge", "1 while the forwarder holds a connection to the fleet's PostgreSQL.")
        sample("audit_forward_connected", "", f.connected ? "1" : "0")
        family("audit_forward_pending_events", "gauge", "Stored events the fleet's PostgreSQL has not confirmed yet.")
        sample("audit_forward_pending_events", "", String(f.pendingEvents))
        family("audit_forward_pending_changes", "gauge",
               "Rows of snapshots, exec inspections and commands, coverage, gaps, deployments, drift findings and acknowledgements changed and not confirmed by the fleet's PostgreSQL yet.")
        sample("audit_forward_pending_changes", "", String(f.pendingChanges))
        family("audit_forward_lag_seconds", "gauge", "Seconds between the newest stored event and the newest the fleet's PostgreSQL holds for this host.")
        sample("audit_forward_lag_seconds", "", String(f.lagSeconds))
        // No sample before the first success: a made-up time would read as a real one.
        if let last = f.lastSuccessSeconds {
            family("audit_forward_last_success_timestamp_seconds", "gauge", "When the fleet's PostgreSQL last confirmed forwarded events (or that none were pending).")
            sample("audit_forward_last_success_timestamp_seconds", "", String(last))
        }
        family("audit_forward_events_sent_total", "counter", "Events sent to the fleet's PostgreSQL, resent ones included.")
        sample("audit_forward_events_sent_total", "", String(f.eventsSent))
        family("audit_forward_events_stored_total", "counter", "Events the fleet's PostgreSQL stored (sent and not already held).")
        sample("audit_forward_events_stored_total", "", String(f.eventsStored))
    }

    /// Every severity and kind is listed, zeros included, like the counters above.
    private func renderNotifications(_ n: NotificationHealth, family: (String, String, String) -> Void, sample: (String, String, String) -> Void) {
        family("audit_findings_open", "gauge", "Out-of-band findings open or stale in the notifier's last evaluation, by severity and kind.")
        for severity in Severity.allCases {
            for kind in FindingKind.allCases {
                sample("audit_findings_open", "{severity=\"\(severity.rawValue)\",kind=\"\(kind.rawValue)\"}", String(n.openFindings[severity]?[kind] ?? 0))
            }
        }
        if let seconds = n.evaluationSeconds, seconds.isFinite {
            family("audit_notifier_evaluation_seconds", "gauge", "How long the notifier's last evaluation of the findings took (it runs every second, or as often as that allows).")
            sample("audit_notifier_evaluation_seconds", "", String(seconds))
        }
        let figures: [(String, String, KeyPath<NotificationHealth.Sink, Int>)] = [
            ("audit_notifications_sent_total", "counter", \.sent),
            ("audit_notifications_failed_total", "counter", \.failed),
            ("audit_notifications_pending", "gauge", \.pending),
        ]
        let help = [
            "audit_notifications_sent_total": "Notifications a sink answered 2xx to, by sink.",
            "audit_notifications_failed_total": "Notifications a sink refused for good (4xx), not retried, by sink.",
            "audit_notifications_pending": "Notifications written to the outbox and not yet delivered, by sink.",
        ]
        for (name, type, value) in figures {
            family(name, type, help[name] ?? "")
            for sink in n.sinks {
                sample(name, "{sink=\"\(sink.kind)\",id=\"\(sink.name)\"}", String(sink[keyPath: value]))
            }
        }
    }
}
