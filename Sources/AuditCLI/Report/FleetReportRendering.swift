import AuditSupport
import Fleet
import Matcher

/// A fleet report: a line per host (coverage, how far its forwarding reaches, findings), then each
/// host's report as `ReportRendering` draws one host's, under the host's name.
enum FleetReportRendering {
    static func time(_ ns: Int64) -> String { ReportRendering.time(ns) }

    static func label(_ host: FleetHost, among reports: [HostReport]) -> String {
        // Two hosts may carry one name (a rebuilt machine with a new store): the id tells them apart.
        reports.filter { $0.host.name == host.name }.count > 1 ? "\(host.name) (\(host.hostID.prefix(8)))" : host.name
    }

    static func watched(_ r: HostReport) -> String {
        if let blind = r.blindSinceNs { return "blind since \(time(blind))" }
        return r.host.watchedUntilNs.map { "up to \(time($0))" } ?? "never"
    }

    static func summary(_ reports: [HostReport], fromNs: Int64, toNs: Int64) -> String {
        let findings = reports.reduce(0) { $0 + $1.model.findings.count }
        let blind = reports.filter { $0.blindSinceNs != nil }.count
        return "fleet \(time(fromNs)) → \(time(toNs)): \(reports.count) host(s)" + (blind > 0 ? ", \(blind) blind for part of the window" : "")
            + ", \(findings) out-of-band finding(s)"
    }

    static func hostRows(_ reports: [HostReport]) -> [[String]] {
        reports.map { r in
            [label(r.host, among: reports), ReportRendering.format1(r.model.coveragePercent) + "%", watched(r), String(r.model.findings.count),
             String(r.model.gaps.count), String(r.model.deployments.count)]
        }
    }

    static let hostHeader = ["HOST", "COVERAGE", "FORWARDED", "FINDINGS", "GAPS", "DEPLOYMENTS"]

    static func table(_ reports: [HostReport], fromNs: Int64, toNs: Int64, inBand: Bool) -> [String] {
        var lines = [summary(reports, fromNs: fromNs, toNs: toNs), ""]
        lines += Table.render(header: hostHeader, rows: hostRows(reports)).map { "   " + $0 }
        for r in reports {
            lines += ["", "### host \(label(r.host, among: reports))"]
            if let blind = r.blindSinceNs {
                lines.append("WARNING: nothing of this host's watching reached the fleet after \(time(blind)): it is blind from there, not quiet (collector stopped, not forwarding, or cut off)")
            }
            lines += ReportRendering.table(r.model, inBand: inBand)
        }
        return lines
    }

    static func markdown(_ reports: [HostReport], fromNs: Int64, toNs: Int64, inBand: Bool) -> [String] {
        var lines = ["## Fleet", "", summary(reports, fromNs: fromNs, toNs: toNs), "",
                     "| " + hostHeader.map { $0.lowercased() }.joined(separator: " | ") + " |",
                     "|" + String(repeating: "---|", count: hostHeader.count)]
        for row in hostRows(reports) { lines.append("| " + row.map(Markdown.cell).joined(separator: " | ") + " |") }
        for r in reports {
            lines += ["", "## Host \(Markdown.cell(label(r.host, among: reports)))", ""]
            if let blind = r.blindSinceNs {
                lines += ["> **Blind** nothing of this host's watching reached the fleet after \(time(blind)).", ""]
            }
            lines += ReportRendering.markdown(r.model, inBand: inBand)
        }
        return lines
    }

    static func json(_ reports: [HostReport], fromNs: Int64, toNs: Int64, inBand: Bool) throws -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("window"); w.beginObject(); w.field("from", time(fromNs)); w.field("to", time(toNs)); w.endObject()
        w.field("findings", Int64(reports.reduce(0) { $0 + $1.model.findings.count }))
        w.key("hosts"); w.beginArray()
        for r in reports {
            w.beginObject()
            w.field("host", r.host.name)
            w.field("host_id", r.host.hostID)
            w.field("forwarded_until", r.host.watchedUntilNs.map(time))
            w.field("blind_since", r.blindSinceNs.map(time))
            w.key("report"); w.raw(try ReportRendering.json(r.model, inBand: inBand))
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.text
    }
}
