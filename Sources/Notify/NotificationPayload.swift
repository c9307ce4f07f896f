import AuditSupport
import Matcher
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One status change of a finding as the sinks receive it: the webhook sink posts it as is (the README
/// documents the keys), Slack and Alertmanager render their own shapes from it.
public struct NotificationPayload: Sendable, Equatable, Codable {
    /// Which change of the finding this announces.
    public enum Change: String, Sendable, Codable, CaseIterable {
        case opened, acknowledged, stale, reconciled, gone
        /// The finding no longer stands: a deployment record that arrived after it was announced covers
        /// the change, or later events changed what it is (a stop that became a restart is announced
        /// again, as the restart).
        case withdrawn

        public init(_ status: FindingStatus) {
            switch status {
            case .open: self = .opened
            case .acknowledged: self = .acknowledged
            case .stale: self = .stale
            case .reconciled: self = .reconciled
            case .gone: self = .gone
            }
        }

        /// The status this change announces: the finding's, or `withdrawn` (the outbox's key starts
        /// with it: see `NotificationPayload.key`).
        public var status: String {
            switch self {
            case .opened: return FindingStatus.open.rawValue
            case .acknowledged: return FindingStatus.acknowledged.rawValue
            case .stale: return FindingStatus.stale.rawValue
            case .reconciled: return FindingStatus.reconciled.rawValue
            case .gone: return FindingStatus.gone.rawValue
            case .withdrawn: return "withdrawn"
            }
        }
    }

    /// Where to look in `audit report` for the finding.
    public struct ReportLink: Sendable, Equatable, Codable {
        public var since: String
        public var until: String
        /// `audit report --since … --until …`, to paste on the host.
        public var command: String
    }

    /// `<finding id>:<key>` (`f1:open`, `f1:acknowledged@1764000010000000000`): the idempotency key, sent
    /// as `webhook-id` too. A retry carries the same.
    public var id: String
    /// `finding.opened`, `finding.reconciled`, …
    public var type: String
    public var change: Change
    /// This Docker host's name.
    public var host: String
    /// The finding as `audit report --format json` shows it, with its status as of this change.
    public var finding: Finding
    public var report: ReportLink

    public init(finding: Finding, host: String) {
        let change = Change(finding.status)
        id = "\(finding.id):\(Self.key(change, finding))"
        type = "finding.\(change.rawValue)"
        self.change = change
        self.host = host
        self.finding = finding
        let since = RFC3339.format(Timestamp(nanoseconds: Self.shifted(finding.timeNano, by: -60_000_000_000)))
        let until = RFC3339.format(Timestamp(nanoseconds: Self.shifted(finding.timeNano, by: 60_000_000_000)))
        report = ReportLink(since: since, until: until, command: "audit report --since \(since) --until \(until) --severity low")
    }

    /// What the outbox keys this notification by, once per finding: the status (`open`, `reconciled`,
    /// `gone`, `withdrawn`), and for an acknowledgement and its expiry the acknowledgement's time too
    /// (`acknowledged@<ns>`, `stale@<ns>`), so a finding acknowledged again after its acknowledgement
    /// expired is announced again, under a key of its own.
    public var key: String { Self.key(change, finding) }

    static func key(_ change: Change, _ finding: Finding) -> String {
        switch change {
        case .acknowledged, .stale:
            if let at = finding.ack?.atNs { return "\(change.status)@\(at)" }
            return change.status
        case .opened, .reconciled, .gone, .withdrawn:
            return change.status
        }
    }

    /// `t + delta` within what a timestamp can hold: a finding's time comes from the daemon's event.
    private static func shifted(_ t: Int64, by delta: Int64) -> Int64 {
        let (sum, overflow) = t.addingReportingOverflow(delta)
        return overflow ? t : min(max(sum, Timestamp.earliest.nanoseconds), Timestamp.latest.nanoseconds)
    }

    /// The withdrawal of a finding announced before, with the finding as it was last announced.
    public func withdrawn() -> NotificationPayload {
        var payload = self
        payload.change = .withdrawn
        payload.type = "finding.\(Change.withdrawn.rawValue)"
        payload.id = "\(finding.id):\(Change.withdrawn.status)"
        return payload
    }

    /// The body as stored and posted: keys sorted, so a payload always has the same bytes.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public static func decode(_ body: String) throws -> NotificationPayload {
        try JSONDecoder().decode(NotificationPayload.self, from: Data(body.utf8))
    }

    /// Where the finding is, in words: `shop_api_1 (shop/api) on host-1`.
    var place: String {
        let c = finding.container
        let name = c.name ?? String(c.id.prefix(12))
        let scope = [c.project, c.service].compactMap { $0 }.joined(separator: "/")
        return name + (scope.isEmpty ? "" : " (\(scope))") + " on \(host)"
    }

    /// What it is, in words: `exec: sh -c vi /etc/app.conf`.
    var headline: String { "\(finding.kind.rawValue): \(finding.detail)" }
}
