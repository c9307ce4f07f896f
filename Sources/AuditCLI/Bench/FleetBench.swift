import ArgumentParser
import AuditSupport
import Findings
import Fleet
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `audit bench fleet`: simulated hosts forward into one PostgreSQL. Each part forwards into a database
/// of its own on that server (`audit_bench_fleet_…`, created empty, dropped at the end unless `--keep`),
/// so its rows, size and hosts are its own.
struct FleetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Forward simulated hosts into one PostgreSQL: events/s by fleet size, one host's catch-up after an outage, a fleet report's time, size per event.",
        discussion: """
            Every host's store is built through the collector's decoder and writer (health probes with their exec inspections, \
            creates and starts with snapshots, a deployment a day, updates, interactive execs, restarts, coverage) in a folder under \
            --work-dir, then forwarded by one forwarder per host, all in this process. The URL's user must be allowed to create \
            databases; the README's benchmark section shows how to start and stop a PostgreSQL for it. Set a part's size to 0 to skip it.
            """)

    @Option(help: ArgumentHelp("The PostgreSQL server to forward into; its database is left alone.", valueName: "postgresql://…"))
    var db: String

    @Option(help: ArgumentHelp("Fleet sizes to measure the forwarding rate with, comma-separated (0: skip).", valueName: "n,n,…"))
    var hosts: String = "10,100,1000"

    @Option(help: "Events of each fleet size, split evenly among its hosts.")
    var events: Int = 2_000_000

    @Option(help: "Events one host stores while PostgreSQL is away, then catches up (an hour at 1,000 events/s; 0: skip).")
    var outageEvents: Int = 3_600_000

    @Option(help: "Events of the fleet the report reads (0: skip).")
    var reportEvents: Int = 10_000_000

    @Option(help: "Hosts that hold the report's events.")
    var reportHosts: Int = 100

    @Option(help: "Days the report's events span.")
    var days: Int = 30

    @Option(help: "How many times each report runs.")
    var runs: Int = 3

    @Option(help: "On how many connections the report reads and evaluates its batches of hosts at once.")
    var reportConnections: Int = FleetFindings.defaultConnections

    @Option(help: ArgumentHelp("Where the host stores are built (removed at the end).", valueName: "dir"))
    var workDir: String = "/tmp"

    @Flag(help: "Keep the databases; a later run with --keep reuses the report's instead of building it again.")
    var keep = false

    private static let hourNs: Int64 = 3_600_000_000_000

    func validate() throws {
        _ = try fleetSizes()
        guard events >= 0, outageEvents >= 0, reportEvents >= 0, reportHosts > 0, days > 0, runs > 0, reportConnections > 0 else {
            throw ValidationError("--events, --outage-events and --report-events must be 0 or more; --report-hosts, --days, --runs and --report-connections at least 1")
        }
    }

    private func fleetSizes() throws -> [Int] {
        try hosts.split(separator: ",").compactMap { part -> Int? in
            guard let n = Int(part.trimmingSpaces()), n >= 0 else { throw ValidationError("--hosts: \"\(part)\" is not a number of hosts; write e.g. 10,100,1000") }
            return n == 0 ? nil : n
        }
    }

    func run() async throws {
        LoggingBootstrap.once(level: .critical)
        let logger = Logger(label: "audit.bench")
        let server: FleetURL
        do {
            server = try FleetURL.parse(db, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.message)
        }
        let directory = "\(workDir)/audit-bench-fleet-\(getpid())"
        guard mkdir(directory, 0o700) == 0 else { throw ValidationError("cannot create \(directory): \(String(cString: strerror(errno)))") }
        defer { rmdir(directory) }
        let endNs = Timestamp.now().nanoseconds / 1_000_000_000 * 1_000_000_000
        Terminal.out("PostgreSQL      \(server)")

        for size in try fleetSizes() where events > 0 {
            let perHost = max(events / size, 1)
            Terminal.out("\(size) hosts, \(perHost) events each:")
            let fleet = try await SimulatedFleet.build(hosts: size, eventsPerHost: perHost, days: 1, endNs: endNs, in: directory, logger: logger)
            defer { fleet.remove() }
            try await withDatabase("audit_bench_fleet_hosts_\(size)", server, logger: logger, reuse: false) { url, _ in
                let run = try await fleet.forward(to: url, logger: logger)
                Terminal.out("  forwarded     \(run.events) events and \(run.records) records in \(fmt(run.seconds)) s: sustained \(Int(run.sustained)) events/s (10% to 90% held), \(Int(Double(run.events) / run.seconds)) events/s overall; first event held after \(fmt(run.firstEventSeconds)) s" + (size == 100 ? " (target ≥ 50000)" : ""))
                try await printSizes(url, fleet: fleet, logger: logger)
            }
        }

        if outageEvents > 0 {
            Terminal.out("one host catching up \(outageEvents) events stored while PostgreSQL was away:")
            let fleet = try await SimulatedFleet.build(hosts: 1, eventsPerHost: outageEvents, days: 1, endNs: endNs, in: directory, logger: logger)
            defer { fleet.remove() }
            try await withDatabase("audit_bench_fleet_outage", server, logger: logger, reuse: false) { url, _ in
                let run = try await fleet.forward(to: url, logger: logger)
                let rate = Double(run.events) / run.seconds
                // While it catches up the host goes on storing: the backlog shrinks by the rate less the new events.
                let live = rate > 1_000 ? fmt(Double(run.events) / (rate - 1_000)) + " s" : "never"
                Terminal.out("  caught up     \(run.events) events and \(run.records) records in \(fmt(run.seconds)) s (\(Int(rate)) events/s, sustained \(Int(run.sustained))); with 1,000 new events/s meanwhile: \(live)")
            }
        }

        if reportEvents > 0 {
            Terminal.out("fleet report, \(reportHosts) hosts × \(reportEvents / reportHosts) events over \(days) days:")
            try await withDatabase("audit_bench_fleet_report", server, logger: logger, reuse: keep) { url, reused in
                if !reused {
                    let fleet = try await SimulatedFleet.build(hosts: reportHosts, eventsPerHost: reportEvents / reportHosts, days: days, endNs: endNs,
                                                               in: directory, logger: logger)
                    defer { fleet.remove() }
                    let run = try await fleet.forward(to: url, logger: logger)
                    Terminal.out("  forwarded     \(run.events) events and \(run.records) records in \(fmt(run.seconds)) s: sustained \(Int(run.sustained)) events/s")
                    try await printSizes(url, fleet: fleet, logger: logger)
                }
                try await timeReports(url, logger: logger)
            }
        }
    }

    /// Runs `body` against database `name`, made empty first unless `reuse` finds it holding events;
    /// dropped afterwards unless `--keep`.
    private func withDatabase(_ name: String, _ server: FleetURL, logger: Logger, reuse: Bool,
                              _ body: (FleetURL, _ reused: Bool) async throws -> Void) async throws {
        var (url, existed) = try await FleetScratchDatabase.open(name, beside: server, logger: logger)
        var reused = false
        if existed && reuse {
            let held = try await FleetReader.with(url, logger: logger) { try await $0.eventCount(fromNs: .min, toNs: .max) }
            reused = held > 0
            if reused { Terminal.out("  reusing       database \(name): \(held) events") }
        }
        if existed && !reused {
            try await FleetScratchDatabase.drop(name, beside: server, logger: logger)
            url = try await FleetScratchDatabase.open(name, beside: server, logger: logger).url
        }
        do {
            try await body(url, reused)
        } catch {
            if !keep { try? await FleetScratchDatabase.drop(name, beside: server, logger: logger) }
            throw error
        }
        if keep {
            Terminal.out("  kept          database \(name)")
        } else {
            try await FleetScratchDatabase.drop(name, beside: server, logger: logger)
        }
    }

    private func printSizes(_ url: FleetURL, fleet: SimulatedFleet, logger: Logger) async throws {
        let storage = try await FleetReader.with(url, logger: logger) { try await $0.storage() }
        let held = max(storage.events, 1)
        Terminal.out("  PostgreSQL    \(storage.events) events; \(storage.eventBytes / held) bytes/event in the events' partitions with their indexes, \(storage.tableBytes / held) with every table (\(ByteSize.approximate(storage.tableBytes)); database \(ByteSize.approximate(storage.databaseBytes)))")
        Terminal.out("  SQLite        \(fleet.sqliteBytes / Int64(max(fleet.events, 1))) bytes/event, every table (\(ByteSize.approximate(fleet.sqliteBytes)) in \(fleet.stores.count) stores)")
    }

    /// `audit report --db postgresql://…`'s path (every host's findings, the JSON) over 1 h, 24 h and 7 d
    /// ending just after the fleet's newest event (a history's probes stop once it has its events, a
    /// little before its coverage ends): the time should follow the window's events, not the store's.
    private func timeReports(_ url: FleetURL, logger: Logger) async throws {
        try await FleetReader.with(url, logger: logger) { reader in
            let storage = try await reader.storage()
            let hosts = try await reader.hosts()
            Terminal.out("  store         \(storage.events) events of \(hosts.count) hosts, \(ByteSize.approximate(storage.databaseBytes)); batches of hosts on \(reportConnections) connections")
            let now = (storage.newestNs ?? Timestamp.now().nanoseconds) + 1_000_000_000
            for (label, hours) in [("1h", 1), ("24h", 24), ("7d", 24 * 7)] {
                let from = now - Int64(hours) * Self.hourNs
                let inWindow = try await reader.eventCount(fromNs: from, toNs: now)
                let query = FindingsQuery(fromNs: from, toNs: now, nowNs: now, host: SimulatedFleet.hostName)
                var times: [Double] = []
                var findings = 0
                for _ in 0..<runs {
                    let start = ContinuousClock.now
                    let reports = try await FleetFindings.evaluate(reader, hosts: hosts, query: query, connections: reportConnections)
                    _ = try FleetReportRendering.json(reports, fromNs: query.fromNs, toNs: query.toNs, inBand: false)
                    times.append(SimulatedFleet.seconds(ContinuousClock.now - start) * 1_000)
                    findings = reports.reduce(0) { $0 + $1.model.findings.count }
                }
                times.sort()
                let shown = times.map { String(Int($0.rounded())) }.joined(separator: ", ")
                Terminal.out("  report --since \(label.padding(toLength: 4, withPad: " ", startingAt: 0))\(inWindow) events in window, \(findings) findings: min \(Int(times[0].rounded())) ms, median \(Int(times[times.count / 2].rounded())) ms (\(shown))" + (label == "24h" ? " (target ≤ 1000 ms)" : ""))
            }
        }
    }

    private func fmt(_ v: Double) -> String { String((v * 100).rounded() / 100) }
}
