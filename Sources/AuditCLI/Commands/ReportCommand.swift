import ArgumentParser
import AuditStore
import AuditSupport
import Findings
import Fleet
import Matcher
#if canImport(Glibc)
import Glibc
#endif

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "What touched production outside the pipeline, and is it still in effect?",
        discussion: """
            Attributes every stored change to the deployment that covers it (host, time ± tolerance, compose \
            project and service, what its commands can do, the containers its output names) or reports it as an \
            out-of-band finding with its status: open, reconciled (a later deployment redefined the container), \
            gone, acknowledged, or stale (acknowledged, expired, still in effect), and why no deployment covers \
            it. The tolerance follows each record's clock unless --tolerance is given: 0.5 s for `audit deploy` \
            records, 2 s for webhook records (up to 5 s when their receipt was measured further off), 2 s around \
            a CI log's line times. Attribution is computed at report time, so late deployment records count. \
            Without --since the report covers the last 24 h.
            With --db postgresql://… the report reads the fleet's PostgreSQL: every host that forwards there \
            (or only --host NAME), each with its coverage, how far its forwarding reaches (a host that stopped \
            forwarding is blind, not quiet) and its findings, which deployment records cover only when they \
            were received by that host's collector or name it (or no host) in their host field.
            Exit status: 0 when the report ran; 3 with --fail-on LEVEL when open or stale findings at or above \
            LEVEL exist; 2 for usage errors.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var window: TimeWindowOptions

    @Option(help: "table, json or markdown.") var format: ReportFormat = .table
    @Option(help: ArgumentHelp("Only findings at or above: low, medium, high, critical.", valueName: "level")) var severity: Severity?
    @Option(help: "Only this compose project.") var project: String?
    @Option(help: ArgumentHelp("This Docker host's name in deployment records (default: the name it forwards under, --host-name, else the machine's hostname); with a postgresql:// --db, only this fleet host.", valueName: "name")) var host: String?
    @Option(help: ArgumentHelp("Only these statuses, comma separated: open, reconciled, gone, acknowledged, stale.", valueName: "list")) var status: String?
    @Option(help: ArgumentHelp("How far outside a deployment's window a change still belongs to it, for every record (default: by the record's clock).", valueName: "duration")) var tolerance: String?
    @Option(help: ArgumentHelp("Exit 3 when open or stale findings at or above this severity exist.", valueName: "level")) var failOn: Severity?
    @Flag(help: "Also list the changes deployments cover, each with its deployment and the evidence.") var inBand = false
    @Option(help: ArgumentHelp("A low not-recreated finding for each running container no deployment has recreated for longer than this (30d).", valueName: "duration")) var maxAge: String?

    func validate() throws {
        try store.validateLogLevel()
        if let tolerance, TimeArgument.parseDuration(tolerance) == nil {
            throw ValidationError("--tolerance \"\(tolerance)\" is not a duration (500ms, 2s, 1m)")
        }
        if let maxAge, TimeArgument.parseDuration(maxAge) == nil {
            throw ValidationError("--max-age \"\(maxAge)\" is not a duration (30d, 2w)")
        }
        _ = try statuses()
    }

    private func statuses() throws -> Set<FindingStatus>? {
        guard let status else { return nil }
        var set = Set<FindingStatus>()
        for part in status.split(separator: ",") {
            guard let s = FindingStatus(rawValue: String(part).trimmingSpaces()) else {
                throw ValidationError("--status: unknown status \"\(part)\"; use open, reconciled, gone, acknowledged or stale")
            }
            set.insert(s)
        }
        return set
    }

    func run() async throws {
        let now = Timestamp.now()
        let (since, until) = try window.resolve(now: now, defaultSince: "24h")
        var query = FindingsQuery(
            fromNs: since.nanoseconds, toNs: until.nanoseconds, nowNs: now.nanoseconds, host: host ?? Self.hostname(),
            toleranceNs: tolerance.flatMap(TimeArgument.parseDuration), minimumSeverity: severity, project: project, statuses: try statuses(),
            maxAgeNs: maxAge.flatMap(TimeArgument.parseDuration))
        if let url = try store.fleetURL() {
            // The fleet report sets each host's name itself.
            try check(try await fleetReport(url, query: query).flatMap(\.model.findings))
            return
        }
        let reader = try StoreReader(path: try store.resolvedPath())
        // A host's own report names the host as its collector does: the name it forwards under
        // (--host-name), else the machine's hostname.
        if host == nil, let name = try reader.hostIdentity()?.name, !name.isEmpty { query.host = name }
        let model = try FindingsEngine.evaluate(reader, query)
        var out = Terminal.Buffered()
        switch format {
        case .table: ReportRendering.table(model, inBand: inBand).forEach { out.line($0) }
        case .markdown: ReportRendering.markdown(model, inBand: inBand).forEach { out.line($0) }
        case .json: out.line(try ReportRendering.json(model, inBand: inBand))
        }
        out.flush()
        try check(model.findings)
    }

    /// Every host's report from the fleet's PostgreSQL, printed (hosts evaluated a few at once, each on
    /// a connection and a thread of its own, in name order).
    private func fleetReport(_ url: FleetURL, query: FindingsQuery) async throws -> [HostReport] {
        let reports = try await FleetReader.with(url, logger: store.makeLogger(label: "audit.report")) { [host] reader in
            try await FleetFindings.evaluate(reader, hosts: try await reader.hosts(named: host), query: query)
        }
        var out = Terminal.Buffered()
        switch format {
        case .table: FleetReportRendering.table(reports, fromNs: query.fromNs, toNs: query.toNs, inBand: inBand).forEach { out.line($0) }
        case .markdown: FleetReportRendering.markdown(reports, fromNs: query.fromNs, toNs: query.toNs, inBand: inBand).forEach { out.line($0) }
        case .json: out.line(try FleetReportRendering.json(reports, fromNs: query.fromNs, toNs: query.toNs, inBand: inBand))
        }
        out.flush()
        return reports
    }

    private func check(_ findings: [Finding]) throws {
        if let failOn, findings.contains(where: { ($0.status == .open || $0.status == .stale) && $0.severity >= failOn }) {
            throw CheckExit.findings
        }
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
