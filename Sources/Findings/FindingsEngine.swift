import AuditStore
import AuditSupport
import Matcher

/// The one path from stored rows to findings: reads a window through a `FindingsStore`, runs the
/// matcher (classify, attribute, lifecycle) and the reconciliation, adds the drift findings, and
/// returns what a report shows. `audit report`, `audit bench report` and the collector's alerts call
/// it; nothing else assembles findings. Attribution is computed now, from everything stored now: a
/// deployment record that arrived late still counts.
public enum FindingsEngine {
    public static func evaluate(_ store: some FindingsStore, _ query: FindingsQuery) throws -> ReportModel {
        let reads = FindingsReads(query)
        let inputs = try FindingsInputs.load(store, reads)
        let analysis = Matcher.analyze(
            events: inputs.events, snapshots: inputs.snapshots, execs: inputs.execs, deployments: inputs.deployments,
            gaps: inputs.gaps.map { Gap(fromNs: $0.fromNs, toNs: $0.toNs, cause: $0.cause) }, acks: inputs.acks,
            host: query.host, window: query.fromNs...query.toNs, toleranceNs: query.toleranceNs, now: query.nowNs)
        let drift = try store.driftFindings(fromNs: reads.window.fromNs, toNs: reads.window.toNs).map(\.finding)
        let current = try FindingsInputs.reconciliation(store, reads)
        let reconciliation = Matcher.reconciliation(
            running: current.running.filter { c in query.project.map { c.project == $0 } ?? true }, creates: current.creates,
            deployments: current.deployments, host: query.host, toleranceNs: query.toleranceNs, findings: analysis.findings + drift,
            acks: inputs.acks, maxAgeNs: query.maxAgeNs, now: query.nowNs)
        let findings = (analysis.findings + drift + reconciliation.findings).sorted { $0.timeNano > $1.timeNano }.filter(query.admits)
        let project = query.project
        let retention = try store.retentionHorizons()
        return ReportModel(
            fromNs: query.fromNs, toNs: query.toNs, findings: findings,
            reconciliation: reconciliation.projects,
            attributed: analysis.attributed.filter { a in project.map { a.event.project == $0 } ?? true },
            tolerance: query.toleranceNs.map { "\(DurationFormat.precise(nanoseconds: $0)) for every record (--tolerance)" }
                ?? "by record: 0.5 s for audit deploy, 2 s (to 5 s, measured) for webhooks, 2 s around CI log lines",
            deployments: inputs.records.filter { $0.startedAt.nanoseconds <= query.toNs && ($0.finishedAt?.nanoseconds ?? .max) >= query.fromNs }
                .filter { r in project.map { r.project == nil || r.project == $0 } ?? true },
            coverage: inputs.coverage,
            // A gap wholly before what retention kept is part of the pruned stretch, which the report
            // calls pruned (retention keeps a table's newest row, however old: see StorePruner).
            gaps: inputs.gaps.filter { $0.toNs >= max(query.fromNs, retention.eventsBeforeNs ?? .min) && $0.fromNs <= query.toNs },
            retention: retention)
    }
}
