import AuditSupport
import Deployments
@testable import Matcher
import Testing
@testable import Notify

/// The rules that decide when a finding is announced, on values.
struct NotificationPlannerTests {
    static let second: Int64 = 1_000_000_000
    static let t0: Int64 = 1_764_000_000 * second

    static func finding(_ id: String = "f1", at t: Int64 = t0, severity: Severity = .high, kind: FindingKind = .exec,
                        status: FindingStatus = .open, project: String? = "shop", service: String? = "api") -> Finding {
        Finding(id: id, severity: severity, kind: kind, action: "exec_start", status: status, timeNano: t,
                container: .init(id: "c0ffee", name: "shop_api_1", project: project, service: service),
                detail: "sh -c vi /etc/app.conf", why: "no deployment record within 5 s", changes: nil, command: "sh -c vi /etc/app.conf",
                user: "root", privileged: false, tty: true, resolution: nil, ack: nil, gap: nil)
    }

    static func record(_ status: DeploymentRecord.Status, startedAt: Int64, project: String? = "shop", services: [String]? = nil) -> DeploymentRecord {
        DeploymentRecord(id: "d1", source: .webhook, project: project, services: services, status: status, startedAt: Timestamp(nanoseconds: startedAt))
    }

    func plan(_ findings: [Finding], queued: [String: Set<String>] = [:], baseline: Int64 = 0, deployments: [DeploymentRecord] = [],
              now: Int64, minimum: Severity = .high) -> [String] {
        NotificationPlanner.changes(findings: findings, queued: queued, baselineNs: baseline, deployments: deployments,
                                    host: "host-1", nowNs: now, minimumSeverity: minimum).map(\.id)
    }

    @Test func aQuietHostsChangeIsAnnouncedOnceTheToleranceHasPassed() {
        let f = Self.finding()
        #expect(plan([f], now: Self.t0 + 4 * Self.second).isEmpty)
        #expect(plan([f], now: Self.t0 + 5 * Self.second) == ["f1:open"])
        #expect(plan([f], queued: ["f1": ["open"]], now: Self.t0 + 60 * Self.second).isEmpty)
    }

    @Test func belowTheMinimumSeverityOrBeforeTheBaselineNothingIsAnnounced() {
        let now = Self.t0 + 10 * Self.second
        #expect(plan([Self.finding(severity: .medium, kind: .lifecycle)], now: now).isEmpty)
        #expect(plan([Self.finding(severity: .medium, kind: .lifecycle)], now: now, minimum: .medium) == ["f1:open"])
        #expect(plan([Self.finding()], baseline: Self.t0 + 1, now: now).isEmpty)
    }

    @Test func aChangeDuringARunningDeploymentOfItsScopeWaitsForIt() {
        let now = Self.t0 + 60 * Self.second
        let running = Self.record(.inProgress, startedAt: Self.t0 - 10 * Self.second)
        #expect(plan([Self.finding()], deployments: [running], now: now).isEmpty)
        // Another project's deployment, or one of other services, cannot claim it.
        #expect(plan([Self.finding()], deployments: [Self.record(.inProgress, startedAt: Self.t0, project: "blog")], now: now) == ["f1:open"])
        #expect(plan([Self.finding()], deployments: [Self.record(.inProgress, startedAt: Self.t0, services: ["web"])], now: now) == ["f1:open"])
        // Past the 30 minutes an unfinished record may cover, it no longer holds anything back.
        #expect(plan([Self.finding()], deployments: [running], now: Self.t0 + 31 * 60 * Self.second) == ["f1:open"])
        // A deployment that started after the change (past the tolerance) cannot have made it.
        #expect(plan([Self.finding()], deployments: [Self.record(.inProgress, startedAt: Self.t0 + 6 * Self.second)], now: now) == ["f1:open"])
    }

    @Test func eachStatusIsAnnouncedOnceAndAnEarlyEndStillOpensFirst() {
        let now = Self.t0 + 60 * Self.second
        var reconciled = Self.finding(status: .reconciled)
        reconciled.resolution = Finding.Resolution(atNs: Self.t0 + 2 * Self.second, deploymentID: "d9")
        #expect(plan([reconciled], now: now) == ["f1:open", "f1:reconciled"])
        #expect(plan([reconciled], queued: ["f1": ["open"]], now: now) == ["f1:reconciled"])
        #expect(plan([reconciled], queued: ["f1": ["open", "reconciled"]], now: now).isEmpty)
        let opened = NotificationPlanner.changes(findings: [reconciled], queued: [:], baselineNs: 0, deployments: [], host: "h", nowNs: now, minimumSeverity: .high)
        #expect(opened.first?.finding.resolution == nil)
        #expect(opened.first?.finding.status == .open)
        #expect(opened.last?.finding.resolution?.deploymentID == "d9")
        #expect(plan([Self.finding(status: .stale)], queued: ["f1": ["open", "acknowledged"]], now: now) == ["f1:stale"])
    }

    @Test func aSecondAcknowledgementAfterTheFirstExpiredIsAnnouncedAgain() throws {
        // As the notifier runs it: each evaluation's changes are queued under the key their id ends with.
        var queued: [String: Set<String>] = [:]
        var announced: [NotificationPayload] = []
        func evaluate(_ f: Finding, at now: Int64) -> [NotificationPayload.Change] {
            let changes = NotificationPlanner.changes(findings: [f], queued: queued, baselineNs: 0, deployments: [], host: "host-1",
                                                      nowNs: now, minimumSeverity: .high)
            for p in changes { queued[f.id, default: []].insert(String(p.id.dropFirst(f.id.count + 1))) }
            announced += changes
            return changes.map(\.change)
        }
        func acked(_ status: FindingStatus, at: Int64) -> Finding {
            var f = Self.finding(status: status)
            f.ack = Finding.AckInfo(by: "oncall", reason: "incident", atNs: at, expiresNs: at + 60 * Self.second)
            return f
        }
        let (ack1, ack2) = (Self.t0 + 10 * Self.second, Self.t0 + 200 * Self.second)
        #expect(evaluate(Self.finding(), at: Self.t0 + 6 * Self.second) == [.opened])
        #expect(evaluate(acked(.acknowledged, at: ack1), at: ack1) == [.acknowledged])
        #expect(evaluate(acked(.stale, at: ack1), at: ack1 + 61 * Self.second) == [.stale])
        #expect(evaluate(acked(.stale, at: ack1), at: ack1 + 62 * Self.second).isEmpty)
        #expect(evaluate(acked(.acknowledged, at: ack2), at: ack2) == [.acknowledged])
        #expect(evaluate(acked(.acknowledged, at: ack2), at: ack2 + Self.second).isEmpty)
        #expect(evaluate(acked(.stale, at: ack2), at: ack2 + 61 * Self.second) == [.stale])
        // Each acknowledgement its own idempotency key; the payload still says acknowledged or stale.
        #expect(Set(announced.map(\.id)).count == announced.count)
        #expect(announced.map(\.type) == ["finding.opened", "finding.acknowledged", "finding.stale", "finding.acknowledged", "finding.stale"])
        #expect(announced.map(\.finding.status) == [.open, .acknowledged, .stale, .acknowledged, .stale])
        let second = try #require(announced.dropFirst(3).first)
        #expect(second.finding.ack?.atNs == ack2)
        #expect(second.id == "f1:acknowledged@\(ack2)")
        let body = try second.encoded()
        #expect(body.contains(#""change":"acknowledged""#) && body.contains(#""status":"acknowledged""#))
    }

    @Test func anAnnouncedFindingTheEvaluationNoLongerHoldsIsWithdrawnOnce() {
        let now = Self.t0 + 60 * Self.second
        let announced = NotificationPayload(finding: Self.finding(), host: "host-1")
        let withdrawn = NotificationPlanner.changes(findings: [], queued: ["f1": ["open"]], unresolved: ["f1": announced], baselineNs: 0,
                                                    deployments: [], host: "host-1", nowNs: now, minimumSeverity: .high)
        #expect(withdrawn.map(\.id) == ["f1:withdrawn"])
        #expect(withdrawn.first?.type == "finding.withdrawn")
        #expect(withdrawn.first?.finding.detail == announced.finding.detail)
        // Still evaluated: nothing to withdraw.
        #expect(NotificationPlanner.changes(findings: [Self.finding()], queued: ["f1": ["open"]], unresolved: ["f1": announced], baselineNs: 0,
                                            deployments: [], host: "host-1", nowNs: now, minimumSeverity: .high).isEmpty)
    }
}

/// How far back an evaluation reads.
struct EvaluationWindowTests {
    static let hour: Int64 = 3_600_000_000_000
    static let now: Int64 = 1_764_000_000_000_000_000

    @Test func theLastHourUnlessAnOpenFindingOrARecentGapReachesFurther() {
        #expect(EvaluationWindow.fromNs(nowNs: Self.now, oldestUnresolvedNs: nil, recentGapStartNs: nil) == Self.now - Self.hour)
        #expect(EvaluationWindow.fromNs(nowNs: Self.now, oldestUnresolvedNs: Self.now - 5 * Self.hour, recentGapStartNs: nil) == Self.now - 5 * Self.hour)
        // A collector stopped for three hours: what the replay and the reconciliation stored with its own time is read.
        #expect(EvaluationWindow.fromNs(nowNs: Self.now, oldestUnresolvedNs: nil, recentGapStartNs: Self.now - 3 * Self.hour) == Self.now - 4 * Self.hour)
        // Never more than 7 days.
        #expect(EvaluationWindow.fromNs(nowNs: Self.now, oldestUnresolvedNs: Self.now - 30 * 24 * Self.hour, recentGapStartNs: nil)
            == Self.now - 7 * 24 * Self.hour)
    }
}
