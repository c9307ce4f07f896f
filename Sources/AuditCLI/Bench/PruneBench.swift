import ArgumentParser
import AuditStore
import AuditSupport
import Collector
import Findings
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `audit bench prune`: what a prune of millions of rows costs the writer's other work. Builds a busy
/// host's store (weeks of health probes), ingests a corpus alone for the baseline rate, then ingests
/// another while the collector's writer prunes the probes older than the probe retention, with a
/// reader querying all along. Prints figures; asserts nothing.
struct PruneBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Prune a store of N events while ingest runs: ingest rate with and without the prune, reader latency, file size.")

    @Option(help: "How many events the store holds before the prune.")
    var events: Int = 3_000_000

    @Option(help: "How many days they span.")
    var days: Int = 30

    @Option(help: "How many events each ingest run stores (one alone, one during the prune).")
    var ingest: Int = 1_000_000

    @Option(help: ArgumentHelp("The probe retention the prune applies.", valueName: "period"))
    var probeRetention: String = "7d"

    @Option(help: ArgumentHelp("The retention the prune applies (0 keeps everything but the probes).", valueName: "period"))
    var retention: String = "0"

    @Option(help: ArgumentHelp("What the prune may take while events flow, as a fraction of the time writing them took (the collector's default \(EventWriter.defaultPruneShare)).", valueName: "fraction"))
    var pruneShare: Double = EventWriter.defaultPruneShare

    @Option(help: ArgumentHelp("Directory for the store and the corpora (default /tmp).", valueName: "dir"))
    var workDir: String = "/tmp"

    func validate() throws {
        guard RetentionPolicy.parsePeriod(probeRetention) != nil, RetentionPolicy.parsePeriod(retention) != nil else {
            throw ValidationError("--probe-retention and --retention take a period (7d, 90d, 12h) or 0")
        }
    }

    func run() async throws {
        let path = "\(workDir)/audit-bench-prune-\(getpid()).db"
        let corpora = ["\(workDir)/audit-bench-prune-\(getpid())-a.ndjson", "\(workDir)/audit-bench-prune-\(getpid())-b.ndjson"]
        defer {
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
            corpora.forEach { unlink($0) }
        }
        LoggingBootstrap.once(level: .warning)
        let logger = Logger(label: "audit.bench")
        // The history ends where the corpora begin: the prune is planned as of that time, so the
        // events ingested meanwhile are newer than every cut-off.
        let nowNs: Int64 = 1_795_000_000_000_000_000
        let policy = RetentionPolicy(retentionNs: RetentionPolicy.parsePeriod(retention) ?? 0, probeRetentionNs: RetentionPolicy.parsePeriod(probeRetention) ?? 0)

        Terminal.out("building a store of \(events) events over \(days) days…")
        var writer = try EventWriter(path: path, logger: logger)
        let summary = try await BusyHostHistory(events: events, days: days, endNs: nowNs).write(to: writer, deployments: try DeploymentRepository(path: path)) { _ in }
        await writer.close(reason: "bench store built")
        Terminal.out("store           \(summary.events) events, \(ByteSize.approximate(storeSize(path)))")
        try BenchCorpus.write(events: ingest, to: corpora[0], startNs: nowNs)
        try BenchCorpus.write(events: ingest, to: corpora[1], startNs: nowNs + 12 * 3_600_000_000_000)

        writer = try EventWriter(path: path, logger: logger, pruneShare: pruneShare)
        let reader = ReaderProbe(path: path, fromNs: nowNs - 3_600_000_000_000, toNs: nowNs)
        // The reader runs during both ingests: what differs between them is the prune alone.
        reader.start()
        let baseline = try await ingestRate(corpora[0], writer: writer)
        let idleReads = reader.stop()
        Terminal.out("ingest alone    \(Int(baseline.rate)) events/s (\(baseline.events) events in \(fmt(baseline.seconds)) s)")

        let sizeBeforePrune = storeSize(path)
        let pruneStart = Timestamp.now().nanoseconds
        let pruneEnded = Atomic<Int64>(0)
        let pruning = Task { [writer] in
            let progress = try await RetentionService.prune(writer: writer, storePath: path, policy: policy) { nowNs }
            pruneEnded.store(Timestamp.now().nanoseconds, ordering: .relaxed)
            return progress
        }
        reader.start()
        let during = try await ingestRate(corpora[1], writer: writer)
        let overlapped = pruneEnded.load(ordering: .relaxed) == 0
        let progress = try await pruning.value
        let pruneSeconds = Double(pruneEnded.load(ordering: .relaxed) - pruneStart) / 1e9
        let reads = reader.stop()
        await writer.close(reason: "bench finished")
        let sizeAfterPrune = storeSize(path)

        Terminal.out("ingest + prune  \(Int(during.rate)) events/s (\(during.events) events in \(fmt(during.seconds)) s) = \(Int((during.rate / baseline.rate * 100).rounded()))% of alone (target ≥ 80%)"
                     + (overlapped ? "; the prune ran the whole time" : "; the prune ended before the ingest did, so this overstates the rate"))
        Terminal.out("prune           \(progress.probeEvents) probe events, \(progress.events) events, \(progress.otherRows) other rows in \(fmt(pruneSeconds)) s; \(progress.pagesFreed) pages given back" + (progress.finished ? "" : " (cut short)"))
        Terminal.out("reader          without the prune: \(idleReads.describe); during the prune: \(reads.describe) (target: no wait over a few hundred ms)")
        Terminal.out("store file      \(ByteSize.approximate(sizeBeforePrune)) before the prune, \(ByteSize.approximate(sizeAfterPrune)) after it and the second ingest; "
                     + "the prune gave \(ByteSize.approximate(Int64(progress.pagesFreed) * 16384)) back to the file system")
    }

    private func ingestRate(_ corpus: String, writer: EventWriter) async throws -> (events: Int, seconds: Double, rate: Double) {
        let fd = open(corpus, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("cannot open \(corpus)") }
        defer { close(fd) }
        let start = Timestamp.now().nanoseconds
        let progress = try await Ingestor(writer: writer).ingest(fd: fd)
        await writer.flush()
        let seconds = Double(Timestamp.now().nanoseconds - start) / 1e9
        return (progress.lines, seconds, Double(progress.lines) / seconds)
    }

    private func fmt(_ v: Double) -> String { String((v * 100).rounded() / 100) }
}

/// A reader beside the writer: a one-hour report every 100 ms on a thread of its own, timing each.
final class ReaderProbe: Sendable {
    struct Latencies {
        var millis: [Double]
        var describe: String {
            guard !millis.isEmpty else { return "no reads" }
            let sorted = millis.sorted()
            let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
            return "\(sorted.count) one-hour reports, median \(Int(sorted[sorted.count / 2].rounded())) ms, p99 \(Int(p99.rounded())) ms, max \(Int((sorted.last ?? 0).rounded())) ms"
        }
    }

    private let path: String
    private let fromNs: Int64
    private let toNs: Int64
    private let running = Atomic<Bool>(false)
    private let results = Mutex<[Double]>([])
    private let finished = Mutex<Bool>(true)

    init(path: String, fromNs: Int64, toNs: Int64) {
        self.path = path
        self.fromNs = fromNs
        self.toNs = toNs
    }

    func start() {
        running.store(true, ordering: .relaxed)
        finished.withLock { $0 = false }
        results.withLock { $0.removeAll() }
        _ = OwnThread.start("bench-reader") { [self] in
            let reader = try? StoreReader(path: path)
            while running.load(ordering: .relaxed), let reader {
                let start = Timestamp.now().nanoseconds
                _ = try? FindingsEngine.evaluate(reader, FindingsQuery(fromNs: fromNs, toNs: toNs, nowNs: toNs, host: "bench-host"))
                let millis = Double(Timestamp.now().nanoseconds - start) / 1e6
                results.withLock { $0.append(millis) }
                usleep(100_000)
            }
            finished.withLock { $0 = true }
        }
    }

    func stop() -> Latencies {
        running.store(false, ordering: .relaxed)
        while !finished.withLock({ $0 }) { usleep(10_000) }
        return Latencies(millis: results.withLock { $0 })
    }
}
