import ArgumentParser
import AuditStore
import AuditSupport
import Collector
import Logging
import Notify
#if canImport(Glibc)
import Glibc
#endif

/// `audit bench notify`: what the notifier costs ingest. A busy host's history ending now (the
/// report bench's: compose containers probed by their health checks, a deployment a day, three
/// out-of-band changes a day, written through the collector's writer with its snapshots) is written
/// into a fresh store, alternately alone (A) and with the notifier evaluating the same store every
/// second (B; its baseline set to the epoch, so every finding is news, its one sink a closed loopback
/// port, so every send fails fast and retries). Prints figures; asserts nothing.
struct NotifyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Ingest throughput with and without the notifier running on the same store (A/B, alternating).")

    @Option(help: "How many events each run writes.")
    var events: Int = 1_000_000

    @Option(help: "How many days, ending now, they span (1: the notifier's hour holds a 24th of them).")
    var days: Int = 1

    @Option(help: "How many A/B pairs to run.")
    var pairs: Int = 3

    @Option(help: ArgumentHelp("The notifier's --notify-min-severity.", valueName: "level"))
    var minSeverity: Severity = .high

    @Option(help: ArgumentHelp("Directory for the stores (default /tmp).", valueName: "dir"))
    var workDir: String = "/tmp"

    func validate() throws {
        guard events >= 10_000, days >= 1, pairs >= 1 else { throw ValidationError("--events must be at least 10000, --days and --pairs at least 1") }
    }

    func run() async throws {
        LoggingBootstrap.once(level: .error)
        let logger = Logger(label: "audit.bench")
        var rates: (alone: [Double], notifying: [Double]) = ([], [])
        for pair in 1...pairs {
            for notifying in [false, true] {
                let db = "\(workDir)/audit-bench-notify-\(getpid())-\(pair)-\(notifying ? "b" : "a").db"
                defer { for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) } }
                let (rate, note) = try await write(into: db, notifying: notifying, logger: logger)
                if notifying { rates.notifying.append(rate) } else { rates.alone.append(rate) }
                Terminal.out("pair \(pair) \(notifying ? "B with notifier" : "A alone        ")  \(Int(rate)) events/s\(note)")
            }
        }
        func median(_ v: [Double]) -> Int { Int(v.sorted()[v.count / 2]) }
        Terminal.out("median          A \(median(rates.alone)) events/s, B \(median(rates.notifying)) events/s (\(events) events over \(days) d, \(pairs) pairs)")
    }

    private func write(into db: String, notifying: Bool, logger: Logger) async throws -> (Double, String) {
        let writer = try EventWriter(path: db, logger: logger)
        let history = BusyHostHistory(events: events, days: days, endNs: Timestamp.now().nanoseconds)
        guard notifying else {
            let start = ContinuousClock.now
            let summary = try await history.write(to: writer, deployments: try DeploymentRepository(path: db)) { _ in }
            await writer.close(reason: "bench finished")
            return (Double(summary.events) / seconds(ContinuousClock.now - start), "")
        }
        _ = try NotificationOutbox(path: db).baseline(nowNs: 0)
        let notifier = NotifierService(
            configuration: .init(sinks: [SinkConfiguration(kind: .alertmanager, url: "http://127.0.0.1:9")], secret: nil, minimumSeverity: minSeverity,
                                 host: history.host),
            storePath: db, logger: logger)
        let running = Task { try await notifier.run() }
        let start = ContinuousClock.now
        let summary = try await history.write(to: writer, deployments: try DeploymentRepository(path: db)) { _ in }
        await writer.close(reason: "bench finished")
        let elapsed = seconds(ContinuousClock.now - start)
        running.cancel()
        _ = try? await running.value
        let counts = try NotificationOutbox(path: db).counts().values.first ?? DeliveryCounts()
        let snapshot = notifier.status.snapshot
        let open = snapshot.openFindings.values.flatMap(\.values).reduce(0, +)
        let evaluation = snapshot.evaluationSeconds.map { String(Int($0 * 1000)) + " ms" } ?? "none finished"
        return (Double(summary.events) / elapsed,
                "  (\(counts.pending + counts.sent + counts.failed) notifications queued, \(open) findings open in the last evaluation, which took \(evaluation))")
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
