import ArgumentParser
import AuditStore
import AuditSupport
import Collector
import Logging
import Notify
#if canImport(Glibc)
import Glibc
#endif

/// `audit bench notify`: what the notifier costs ingest. The same recent corpus (its events end now, so
/// the notifier's one-hour window is full of them) is ingested into a fresh store alternately alone (A)
/// and with the notifier evaluating every second and queueing the findings at or above --min-severity
/// (B; its baseline set to the epoch, so every finding is news, its one sink a closed loopback port, so
/// every send fails fast and retries). Prints figures; asserts nothing.
struct NotifyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Ingest throughput with and without the notifier running on the same store (A/B, alternating).")

    @Option(help: "How many events the corpus holds (25 ms apart on average, ending now).")
    var events: Int = 200_000

    @Option(help: "How many A/B pairs to run.")
    var pairs: Int = 3

    @Option(help: ArgumentHelp("The notifier's --notify-min-severity: low queues every finding of the corpus (the worst case).", valueName: "level"))
    var minSeverity: Severity = .high

    @Option(help: ArgumentHelp("Directory for the corpus and the stores (default /tmp).", valueName: "dir"))
    var workDir: String = "/tmp"

    func validate() throws {
        guard events >= 1_000, pairs >= 1 else { throw ValidationError("--events must be at least 1000 and --pairs at least 1") }
    }

    func run() async throws {
        LoggingBootstrap.once(level: .warning)
        let logger = Logger(label: "audit.bench")
        let corpus = "\(workDir)/audit-bench-notify-\(getpid()).ndjson"
        defer { unlink(corpus) }
        Terminal.error("generating \(events) events ending now in \(corpus)…")
        try BenchCorpus.write(events: events, to: corpus, startNs: Timestamp.now().nanoseconds - Int64(events) * 25_000_000)

        var rates: (alone: [Double], notifying: [Double]) = ([], [])
        for pair in 1...pairs {
            for notifying in [false, true] {
                let db = "\(workDir)/audit-bench-notify-\(getpid())-\(pair)-\(notifying ? "b" : "a").db"
                defer { for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) } }
                let (rate, note) = try await ingest(corpus, into: db, notifying: notifying, logger: logger)
                if notifying { rates.notifying.append(rate) } else { rates.alone.append(rate) }
                Terminal.out("pair \(pair) \(notifying ? "B with notifier" : "A alone        ")  \(Int(rate)) events/s\(note)")
            }
        }
        func median(_ v: [Double]) -> Int { Int(v.sorted()[v.count / 2]) }
        Terminal.out("median          A \(median(rates.alone)) events/s, B \(median(rates.notifying)) events/s (\(events) events, \(pairs) pairs)")
    }

    private func ingest(_ corpus: String, into db: String, notifying: Bool, logger: Logger) async throws -> (Double, String) {
        let writer = try EventWriter(path: db, logger: logger)
        let fd = open(corpus, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("cannot open \(corpus)") }
        defer { close(fd) }
        guard notifying else {
            let start = ContinuousClock.now
            let progress = try await Ingestor(writer: writer).ingest(fd: fd)
            await writer.close(reason: "bench finished")
            return (Double(progress.lines) / seconds(ContinuousClock.now - start), "")
        }
        _ = try NotificationOutbox(path: db).baseline(nowNs: 0)
        let notifier = NotifierService(
            configuration: .init(sinks: [SinkConfiguration(kind: .alertmanager, url: "http://127.0.0.1:9")], secret: nil, minimumSeverity: minSeverity,
                                 host: ReportCommand.hostname()),
            storePath: db, logger: logger)
        let running = Task { try await notifier.run() }
        let start = ContinuousClock.now
        let progress = try await Ingestor(writer: writer).ingest(fd: fd)
        await writer.close(reason: "bench finished")
        let elapsed = seconds(ContinuousClock.now - start)
        running.cancel()
        _ = try? await running.value
        let counts = try NotificationOutbox(path: db).counts().values.first ?? DeliveryCounts()
        let open = notifier.status.snapshot.openFindings.values.flatMap(\.values).reduce(0, +)
        let evaluation = notifier.status.snapshot.evaluationSeconds.map { String(Int($0 * 1000)) + " ms" } ?? "none finished"
        return (Double(progress.lines) / elapsed,
                "  (\(counts.pending + counts.sent + counts.failed) notifications queued, \(open) findings open in the last evaluation, which took \(evaluation))")
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
