import AuditStore
import AuditSupport
import Deployments
import Findings
import Matcher
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

enum ReportRendering {
    static func time(_ ns: Int64) -> String { RFC3339.format(Timestamp(nanoseconds: ns)) }

    static func summary(_ m: ReportModel) -> String {
        let severities = Severity.allCases.reversed().compactMap { s -> String? in
            let n = m.findings.filter { $0.severity == s }.count
            return n == 0 ? nil : "\(n) \(s.rawValue)"
        }
        let statuses = FindingStatus.allCases.compactMap { s -> String? in
            let n = m.findings.filter { $0.status == s }.count
            return n == 0 ? nil : "\(n) \(s.rawValue)"
        }
        let coverage = String(format1(m.coveragePercent))
        return "\(time(m.fromNs)) → \(time(m.toNs)): coverage \(coverage)%" + (m.prunedUntilNs.map { " of what retention kept (from \(time($0)))" } ?? "")
            + ", \(m.deployments.count) deployment(s), "
            + "\(m.findings.count) out-of-band finding(s)"
            + (m.findings.isEmpty ? "" : " (\(severities.joined(separator: ", ")); \(statuses.joined(separator: ", ")))")
            + "; tolerance \(m.tolerance)"
    }

    static func containerLabel(_ event: MatcherEvent, name: String?) -> String {
        let label = [event.project, event.service].compactMap { $0 }.joined(separator: "/")
        let shown = name ?? event.name ?? String(event.actorID.prefix(12))
        return label.isEmpty ? shown : "\(shown) (\(label))"
    }

    static func format1(_ v: Double) -> String { String((v * 10).rounded() / 10) }

    static func table(_ m: ReportModel, inBand: Bool = false) -> [String] {
        var lines = [summary(m), ""]
        if !m.findings.isEmpty {
            let groups = Dictionary(grouping: m.findings) { f in
                [f.container.project, f.container.service].compactMap { $0 }.joined(separator: "/") + " " + (f.container.name ?? String(f.container.id.prefix(12)))
            }
            for (key, findings) in groups.sorted(by: { ($0.value.map(\.timeNano).max() ?? 0) > ($1.value.map(\.timeNano).max() ?? 0) }) {
                lines.append("== \(key.trimmingSpaces())")
                let rows = findings.sorted { $0.timeNano > $1.timeNano }.map { f in
                    [time(f.timeNano), f.kind.rawValue, f.severity.rawValue, statusText(f), f.id, f.detail]
                }
                let sorted = findings.sorted { $0.timeNano > $1.timeNano }
                let rendered = Table.render(header: ["TIME", "KIND", "SEVERITY", "STATUS", "ID", "DETAIL"], rows: rows)
                for (i, line) in rendered.enumerated() {
                    lines.append("   " + line)
                    // The reason no deployment covers it, under its row.
                    if i > 0, let why = sorted[i - 1].why { lines.append("     why: " + why) }
                }
                lines.append("")
            }
        }
        if inBand {
            lines.append("in band (\(m.attributed.count) change(s) deployments cover)")
            if !m.attributed.isEmpty {
                let rows = m.attributed.map { a in [time(a.event.timeNano), a.change, containerLabel(a.event, name: a.name), a.deploymentID] }
                for (i, line) in Table.render(header: ["TIME", "CHANGE", "CONTAINER", "DEPLOYMENT"], rows: rows).enumerated() {
                    lines.append("   " + line)
                    if i > 0 { lines.append("     evidence: " + m.attributed[i - 1].evidence) }
                }
            }
            lines.append("")
        }
        if !m.deployments.isEmpty {
            lines.append("deployments")
            let rows = m.deployments.map { r in
                [time(r.startedAt.nanoseconds), r.finishedAt.map { time($0.nanoseconds) } ?? "(running)", r.status.rawValue, r.source.rawValue,
                 r.project ?? "*", r.services?.joined(separator: ",") ?? "*", r.actor ?? "", r.id]
            }
            lines += Table.render(header: ["STARTED", "FINISHED", "STATUS", "SOURCE", "PROJECT", "SERVICES", "ACTOR", "ID"], rows: rows).map { "   " + $0 }
            lines.append("")
        }
        lines += reconciliationTable(m)
        if let pruned = m.prunedUntilNs {
            lines.append("NOTE: events before \(time(pruned)) were pruned by retention; findings from before then are not shown")
        }
        for gap in m.gaps {
            lines.append("WARNING: not watching from \(time(gap.fromNs)) to \(time(gap.toNs)) (\(gap.cause)); changes in that gap were only seen by reconciliation (\(gap.changesFound.map(String.init) ?? "?") found)")
        }
        return lines
    }

    static func lastFullRecreate(_ r: ProjectReconciliation, now: Int64) -> String {
        guard let full = r.lastFullRecreate else { return "no deployment on record recreated every service container" }
        return "last full recreate \(full.deploymentID), \(DurationFormat.short(nanoseconds: now - full.atNs)) ago"
    }

    static func reconciliationTable(_ m: ReportModel) -> [String] {
        var lines: [String] = []
        for r in m.reconciliation {
            lines.append("reconciliation \(r.project): \(lastFullRecreate(r, now: m.toNs))")
            let rows = r.containers.map { c in
                [c.name, c.service ?? "-", DurationFormat.short(nanoseconds: m.toNs - c.createdNs), c.deploymentID ?? "(none on record)", String(c.outOfBand)]
            }
            lines += Table.render(header: ["CONTAINER", "SERVICE", "SINCE RECREATE", "BY DEPLOYMENT", "OUT-OF-BAND"], rows: rows).map { "   " + $0 }
            lines.append("")
        }
        return lines
    }

    static func statusText(_ f: Finding) -> String {
        switch f.status {
        case .reconciled: return "reconciled" + (f.resolution?.deploymentID.map { " by \($0)" } ?? "")
        case .acknowledged, .stale: return f.status.rawValue + (f.ack.map { " (\($0.by): \($0.reason))" } ?? "")
        default: return f.status.rawValue
        }
    }

    static func markdown(_ m: ReportModel, inBand: Bool = false) -> [String] {
        var lines = ["### Out-of-band changes", "", summary(m), ""]
        if !m.findings.isEmpty {
            lines.append("| time | container | kind | severity | status | detail | why |")
            lines.append("|---|---|---|---|---|---|---|")
            for f in m.findings {
                let container = [f.container.project, f.container.service].compactMap { $0 }.joined(separator: "/")
                let name = f.container.name ?? String(f.container.id.prefix(12))
                lines.append("| \(time(f.timeNano)) | \(Markdown.cell(name + (container.isEmpty ? "" : " (\(container))"))) | \(f.kind.rawValue) | \(f.severity.rawValue) | \(Markdown.cell(statusText(f))) | \(Markdown.cell(f.detail)) | \(Markdown.cell(f.why ?? "")) |")
            }
            lines.append("")
        }
        if inBand, !m.attributed.isEmpty {
            lines += ["#### In band", "", "| time | container | change | deployment | evidence |", "|---|---|---|---|---|"]
            for a in m.attributed {
                lines.append("| \(time(a.event.timeNano)) | \(Markdown.cell(containerLabel(a.event, name: a.name))) | \(a.change) | `\(Markdown.cell(a.deploymentID))` | \(Markdown.cell(a.evidence)) |")
            }
            lines.append("")
        }
        for r in m.reconciliation {
            lines += ["#### Reconciliation: \(r.project)", "", lastFullRecreate(r, now: m.toNs), "",
                      "| container | service | since recreate | by deployment | out-of-band |", "|---|---|---|---|---|"]
            for c in r.containers {
                lines.append("| \(Markdown.cell(c.name)) | \(Markdown.cell(c.service ?? "-")) | \(DurationFormat.short(nanoseconds: m.toNs - c.createdNs)) | \(c.deploymentID.map { "`\($0)`" } ?? "(none on record)") | \(c.outOfBand) |")
            }
            lines.append("")
        }
        if !m.deployments.isEmpty {
            lines.append("Deployments: " + m.deployments.map { "`\($0.id)` \($0.status.rawValue) (\($0.project ?? "*"))" }.joined(separator: ", "))
        }
        if let pruned = m.prunedUntilNs {
            lines.append("> **Pruned** events before \(time(pruned)) were pruned by retention; findings from before then are not shown.")
        }
        for gap in m.gaps {
            lines.append("> **Gap** \(time(gap.fromNs)) → \(time(gap.toNs)): \(gap.cause); changes inside were only seen by reconciliation.")
        }
        return lines
    }

    static func json(_ m: ReportModel, inBand: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var w = JSONWriter()
        w.beginObject()
        w.key("window"); w.beginObject(); w.field("from", time(m.fromNs)); w.field("to", time(m.toNs)); w.endObject()
        w.key("coverage"); w.beginObject()
        w.key("percent"); w.raw(format1(m.coveragePercent))
        w.key("connected"); w.beginArray()
        for i in m.coverage { w.beginObject(); w.field("from", time(i.startedNs)); w.field("to", time(i.endNs)); w.field("open", i.open); w.endObject() }
        w.endArray()
        w.key("gaps"); w.beginArray()
        for g in m.gaps {
            w.beginObject(); w.field("from", time(g.fromNs)); w.field("to", time(g.toNs)); w.field("cause", g.cause)
            w.field("replayed", Int64(g.replayed)); w.field("changes_found", g.changesFound.map(Int64.init)); w.endObject()
        }
        w.endArray()
        w.field("pruned_before", m.prunedUntilNs.map(time))
        w.endObject()
        w.key("summary"); w.beginObject()
        w.field("findings", Int64(m.findings.count))
        w.field("deployments", Int64(m.deployments.count))
        w.key("by_severity"); w.beginObject()
        for s in Severity.allCases { w.field(s.rawValue, Int64(m.findings.filter { $0.severity == s }.count)) }
        w.endObject()
        w.key("by_status"); w.beginObject()
        for s in FindingStatus.allCases { w.field(s.rawValue, Int64(m.findings.filter { $0.status == s }.count)) }
        w.endObject()
        w.endObject()
        w.key("deployments"); w.beginArray()
        for r in m.deployments { w.raw(r.wireJSON()) }
        w.endArray()
        w.key("findings"); w.beginArray()
        for f in m.findings { w.raw(String(decoding: try encoder.encode(f), as: UTF8.self)) }
        w.endArray()
        w.field("tolerance", m.tolerance)
        w.key("reconciliation"); w.beginArray()
        for r in m.reconciliation {
            w.beginObject()
            w.field("project", r.project)
            w.key("last_full_recreate")
            if let full = r.lastFullRecreate {
                w.beginObject(); w.field("deployment", full.deploymentID); w.field("at", time(full.atNs))
                w.field("age_seconds", (m.toNs - full.atNs) / 1_000_000_000); w.endObject()
            } else {
                w.raw("null")
            }
            w.key("containers"); w.beginArray()
            for c in r.containers {
                w.beginObject()
                w.field("id", c.containerID); w.field("name", c.name); w.field("service", c.service)
                w.field("recreated_at", time(c.createdNs)); w.field("age_seconds", (m.toNs - c.createdNs) / 1_000_000_000)
                w.field("deployment", c.deploymentID); w.field("out_of_band", Int64(c.outOfBand))
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        if inBand {
            w.key("in_band"); w.beginArray()
            for a in m.attributed {
                w.beginObject()
                w.field("time", time(a.event.timeNano)); w.field("timeNano", a.event.timeNano)
                w.field("change", a.change); w.field("action", a.event.action)
                w.key("container"); w.beginObject()
                w.field("id", a.event.actorID); w.field("name", a.name ?? a.event.name)
                w.field("project", a.event.project); w.field("service", a.event.service)
                w.endObject()
                w.field("deployment", a.deploymentID); w.field("evidence", a.evidence)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        return w.text
    }
}
