import ArgumentParser
import AuditStore
import AuditSupport
import Collector
import DockerAPI
import Logging
#if canImport(Glibc)
import Glibc
#endif

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ingest (events/s, store size, RSS), report speed on a large store, fleet forwarding; prints figures.",
        discussion: "Prints figures; asserts nothing. The corpus is generated to look like an Engine 20.10 capture: lifecycle, exec trios, health probes, compose labels, network and image events.",
        subcommands: [IngestBench.self, ReportBench.self, PruneBench.self, NotifyBench.self, CollectorMemoryBench.self, JSONBench.self, FleetBench.self],
        defaultSubcommand: IngestBench.self
    )
}

struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Generate N events, then decode and store them.")

    // A million by default: a run of 200k lasts about a second, a quarter of which is the store's
    // one-off final checkpoint, so it measures start and stop more than sustained ingest.
    @Option(help: "How many events to generate.")
    var events: Int = 1_000_000

    @Option(help: ArgumentHelp("Read this NDJSON corpus instead of generating one.", valueName: "file"))
    var corpus: String?

    @Option(help: ArgumentHelp("Write the generated corpus to this file, keep it, and measure nothing.", valueName: "file"))
    var saveCorpus: String?

    @Option(help: ArgumentHelp("Directory for the corpus and the store (default /tmp).", valueName: "dir"))
    var workDir: String = "/tmp"

    @Flag(help: "Give the store a forwarding target first, as `collect --forward` does, so the change log notes every changed row (exec_commands here).")
    var forwarding = false

    func run() async throws {
        if let saveCorpus {
            try BenchCorpus.write(events: events, to: saveCorpus)
            Terminal.out("wrote \(events) events to \(saveCorpus)")
            return
        }
        let ndjson = corpus ?? "\(workDir)/audit-bench-\(getpid()).ndjson"
        let dbPath = "\(workDir)/audit-bench-\(getpid()).db"
        defer {
            if corpus == nil { unlink(ndjson) }
            for suffix in ["", "-wal", "-shm"] { unlink(dbPath + suffix) }
        }
        if corpus == nil {
            Terminal.error("generating \(events) events in \(ndjson)…")
            try BenchCorpus.write(events: events, to: ndjson)
        }
        let rawBytes = fileSize(ndjson)

        // Decode alone, for the split between parsing and SQLite.
        let decodeStart = Timestamp.now()
        let decoded = try decodeOnly(ndjson)
        let decodeSeconds = seconds(since: decodeStart)

        LoggingBootstrap.once(level: .warning)
        let logger = Logger(label: "audit.bench")
        let writer = try EventWriter(path: dbPath, logger: logger)
        if forwarding {
            _ = try ForwardingLedger(path: dbPath).openChangeLog(target: "bench", nowNs: Timestamp.now().nanoseconds)
        }
        let fd = open(ndjson, O_RDONLY)
        let start = Timestamp.now()
        let progress = try await Ingestor(writer: writer).ingest(fd: fd)
        let committed = seconds(since: start)
        await writer.close(reason: "bench finished")
        let total = seconds(since: start)
        close(fd)
        let dbBytes = storeSize(dbPath)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)

        Terminal.out("corpus          \(progress.lines) events, \(ByteSize.describe(rawBytes)) NDJSON (\(rawBytes / Int64(max(progress.lines, 1))) bytes/event)")
        Terminal.out("decode only     \(fmt(decodeSeconds)) s, \(Int(Double(decoded) / decodeSeconds)) events/s")
        Terminal.out("decode + store  \(fmt(total)) s, \(Int(Double(progress.lines) / total)) events/s (target ≥ 150000), until the final checkpoint has written everything into the database file")
        Terminal.out("  last commit   at \(fmt(committed)) s (\(Int(Double(progress.lines) / committed)) events/s); the final checkpoint took \(fmt(total - committed)) s")
        Terminal.out("writer busy     \(fmt(Double(writer.statistics.busyNs) / 1e9)) s of \(fmt(total)) s (the rest: reading and decoding on the other thread)")
        Terminal.out("stored          \(writer.statistics.eventsStored) events, \(writer.statistics.duplicatesSkipped) duplicates, \(writer.statistics.linesQuarantined) quarantined")
        Terminal.out("store size      \(ByteSize.describe(dbBytes)), \(fmt(Double(dbBytes) / Double(rawBytes)))× raw (target ≤ 0.30×), \(dbBytes / Int64(max(progress.lines, 1))) bytes/event")
        Terminal.out("peak RSS        \(ByteSize.describe(Int64(usage.ru_maxrss) * 1024)) (whole bench process)")
    }

    private func decodeOnly(_ path: String) throws -> Int {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("cannot open \(path)") }
        defer { close(fd) }
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var count = 0
        let interner = Interner()
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            buffer.withUnsafeBytes { splitter.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) { line in
                if case .event = EventDecoder.decode(line, interner: interner) { count += 1 }
            } }
        }
        return count
    }

    private func seconds(since t: Timestamp) -> Double { Double(Timestamp.now().nanoseconds - t.nanoseconds) / 1e9 }
    private func fmt(_ v: Double) -> String { String((v * 100).rounded() / 100) }
}

/// A synthetic capture with the shape of real Engine 20.10 output (legacy fields included): 60
/// containers in 3 compose projects, each with ~8 labels; health probes dominate as on a real host.
enum BenchCorpus {
    /// `startNs`: the first event's time (events are 25 ms apart on average).
    static func write(events: Int, to path: String, startNs: Int64 = 1_795_000_000_000_000_000) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot write \(path)") }
        defer { close(fd) }
        var rng = SplitMix(seed: 42)
        let projects = ["shop", "billing", "search"]
        let services = ["api", "worker", "web", "db", "cache"]
        struct Container { let id: String; let name: String; let labels: [(String, String)]; let image: String }
        var containers: [Container] = []
        for i in 0..<60 {
            let project = projects[i % 3], service = services[i % 5]
            let id = (0..<4).map { _ in String(rng.next() & 0xFFFF_FFFF_FFFF_FFFF, radix: 16).leftPad(16) }.joined()
            let image = "registry.example.com/\(project)/\(service):1.\(i % 7).\(i)"
            let labels = [
                ("com.docker.compose.config-hash", String(rng.next(), radix: 16).leftPad(16) + String(rng.next(), radix: 16).leftPad(16)),
                ("com.docker.compose.container-number", "\(i / 15 + 1)"),
                ("com.docker.compose.oneoff", "False"),
                ("com.docker.compose.project", project),
                ("com.docker.compose.project.config_files", "/srv/\(project)/docker-compose.yml"),
                ("com.docker.compose.project.working_dir", "/srv/\(project)"),
                ("com.docker.compose.service", service),
                ("com.docker.compose.version", "1.29.2"),
                ("image", image),
                ("maintainer", "platform@example.com"),
                ("name", "\(project)_\(service)_\(i / 15 + 1)"),
            ]
            containers.append(Container(id: id, name: "\(project)_\(service)_\(i / 15 + 1)", labels: labels, image: image))
        }
        var out = ""
        out.reserveCapacity(1 << 20)
        var time = startNs
        var written = 0
        func emit(_ type: String, _ action: String, _ id: String, _ attributes: [(String, String)], legacy: Bool, from: String?) {
            time += Int64(rng.next() % 50_000_000) + 1
            var w = JSONWriter(capacity: 900)
            w.beginObject()
            if legacy {
                w.field("status", action)
                w.field("id", id)
                if let from { w.field("from", from) }
            }
            w.field("Type", type)
            w.field("Action", action)
            w.key("Actor"); w.beginObject(); w.field("ID", id); w.key("Attributes"); w.object(attributes); w.endObject()
            w.field("scope", "local")
            w.field("time", time / 1_000_000_000)
            w.field("timeNano", time)
            w.endObject()
            out += w.text
            out += "\n"
            written += 1
        }
        while written < events {
            let c = containers[Int(rng.next() % UInt64(containers.count))]
            let roll = rng.next() % 100
            if roll < 75 {
                let execID = (0..<4).map { _ in String(rng.next(), radix: 16).leftPad(16) }.joined()
                let command = "/bin/sh -c curl -fsS http://localhost:8080/health || exit 1"
                emit("container", "exec_create: \(command)", c.id, withExtra(c.labels, ("execID", execID)), legacy: true, from: c.image)
                emit("container", "exec_start: \(command)", c.id, withExtra(c.labels, ("execID", execID)), legacy: true, from: c.image)
                emit("container", "exec_die", c.id, withExtra(c.labels, ("execID", execID), ("exitCode", "0")), legacy: true, from: c.image)
            } else if roll < 85 {
                for action in ["kill", "die", "stop", "start", "restart"] {
                    let extra: [(String, String)] = action == "kill" ? [("signal", "15")] : action == "die" ? [("exitCode", "143")] : []
                    emit("container", action, c.id, withExtra(c.labels, extra), legacy: true, from: c.image)
                }
            } else if roll < 95 {
                emit("network", ["connect", "disconnect"][Int(rng.next() % 2)], "ac4e1f092f14503425cabdf6d3f52b801e1ac446a4ccddce47e49d3c1aebe491",
                     [("container", c.id), ("name", "\(c.labels[3].1)_default"), ("type", "bridge")], legacy: false, from: nil)
            } else if roll < 98 {
                emit("container", "health_status: healthy", c.id, c.labels, legacy: true, from: c.image)
            } else {
                emit("image", "pull", c.image, [("name", c.image)], legacy: true, from: nil)
            }
            if out.utf8.count > 1 << 20 {
                try flush(&out, fd)
            }
        }
        try flush(&out, fd)
    }

    private static func withExtra(_ labels: [(String, String)], _ extra: (String, String)...) -> [(String, String)] {
        withExtra(labels, extra)
    }

    private static func withExtra(_ labels: [(String, String)], _ extra: [(String, String)]) -> [(String, String)] {
        (labels + extra).sorted { $0.0 < $1.0 }
    }

    private static func flush(_ out: inout String, _ fd: Int32) throws {
        var copy = out
        let ok = copy.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        guard ok else { throw ValidationError("writing the corpus failed: \(String(cString: strerror(errno)))") }
        out.removeAll(keepingCapacity: true)
    }
}

/// A small deterministic generator, so every bench run measures the same corpus.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
