import ArgumentParser
import AuditStore
import AuditSupport
import Collector
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store a `docker events --format '{{json .}}'` dump or /events NDJSON (backfill, benchmarks).",
        discussion: "Malformed lines are quarantined with the reason and counted; the lines around them are stored. Ingesting the same file twice stores nothing new."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The dump to read, or - for standard input.", valueName: "file"))
    var file: String

    func validate() throws { try store.validateLogLevel() }

    func run() async throws {
        let logger = store.makeLogger(label: "audit.ingest")
        let path = try store.resolvedPath()
        let fd: Int32 = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))")
        }
        defer { if fd != 0 { close(fd) } }
        let writer = try EventWriter(path: path, logger: logger)
        let started = Timestamp.now()
        let showProgress = isatty(2) == 1
        let progress = try await Ingestor(writer: writer).ingest(fd: fd) { p in
            if showProgress { Terminal.error("ingest: \(p.lines) lines, \(p.bytes >> 20) MiB read\r", newline: false) }
        }
        await writer.close(reason: "ingest finished")
        let seconds = Double(Timestamp.now().nanoseconds - started.nanoseconds) / 1e9
        let stats = writer.statistics
        let rate = seconds > 0 ? Int(Double(progress.lines) / seconds) : 0
        Terminal.error("ingest: \(progress.lines) lines from \(file): \(stats.eventsStored) events stored, \(stats.duplicatesSkipped) duplicates skipped, \(stats.linesQuarantined) quarantined (see `audit status`), \(String(format2(seconds))) s, \(rate) lines/s; store \(path)")
    }

    private func format2(_ v: Double) -> String { String((v * 100).rounded() / 100) }
}
