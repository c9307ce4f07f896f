import ArgumentParser
import AuditStore
import AuditSupport
import Findings
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `audit bench report`: how long `audit report` takes on a store holding weeks of a busy host, for
/// windows of growing size. The time should follow the window's events, not the store's.
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Build (or reuse) a store of N events over D days of a busy host, then time reports over 1 h, 24 h and 7 d.")

    @Option(help: "How many events the store should hold.")
    var events: Int = 10_000_000

    @Option(help: "How many days they span.")
    var days: Int = 30

    @Option(help: ArgumentHelp("Keep the store here and reuse it on the next run (default: a temporary file, removed).", valueName: "path"))
    var db: String?

    @Option(help: "How many times each report runs (the first reads from disk, later ones from the page cache).")
    var runs: Int = 3

    func run() async throws {
        let path = db ?? "/tmp/audit-bench-report-\(getpid()).db"
        defer { if db == nil { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } } }
        LoggingBootstrap.once(level: .warning)
        let logger = Logger(label: "audit.bench")

        let exists = access(path, F_OK) == 0
        let empty = try !exists || StoreReader(path: path).eventCount(fromNs: .min, toNs: .max, limit: 1) == 0
        if empty {
            Terminal.out("building a store of \(events) events over \(days) days at \(path)…")
            let start = Timestamp.now()
            let writer = try EventWriter(path: path, logger: logger)
            let history = BusyHostHistory(events: events, days: days, endNs: Timestamp.now().nanoseconds)
            var lastShown = 0
            let summary = try await history.write(to: writer, deployments: try DeploymentRepository(path: path)) { written in
                if written - lastShown >= 1_000_000 {
                    lastShown = written
                    Terminal.error("  \(written / 1_000_000)M events written")
                }
            }
            await writer.close(reason: "bench store built")
            let seconds = Double(Timestamp.now().nanoseconds - start.nanoseconds) / 1e9
            Terminal.out("built in \(Int(seconds)) s: \(summary.events) events, \(summary.deployments) deployments, \(summary.outOfBand) out-of-band changes")
        } else {
            Terminal.out("reusing \(path)")
        }
        let reader = try StoreReader(path: path)
        let status = try reader.status()
        let now = (status.newestEventNs ?? 0) + 1_000_000_000
        let stored = status.eventsBySource.reduce(0) { $0 + $1.1 }
        Terminal.out("store           \(stored) events, \(ByteSize.describe(storeSize(path)))")

        for (label, hours) in [("1h", 1), ("24h", 24), ("7d", 24 * 7)] {
            let from = now - Int64(hours) * 3_600_000_000_000
            let inWindow = try reader.eventCount(fromNs: from, toNs: now)
            var times: [Double] = []
            var findings = 0
            for _ in 0..<max(runs, 1) {
                let start = Timestamp.now()
                let model = try FindingsEngine.evaluate(reader, FindingsQuery(fromNs: from, toNs: now, nowNs: now, host: "bench-host"))
                _ = try ReportRendering.json(model)
                times.append(Double(Timestamp.now().nanoseconds - start.nanoseconds) / 1e6)
                findings = model.findings.count
            }
            let shown = times.map { String(Int($0.rounded())) }.joined(separator: ", ")
            Terminal.out("report --since \(label.padding(4))\(inWindow) events in window, \(findings) findings: \(shown) ms (target for 24h ≤ 150 ms)")
        }
    }
}

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
