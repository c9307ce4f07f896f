import AuditStore
import AuditSupport
import DockerAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `audit ingest`: reads a `docker events --format '{{json .}}'` dump or raw `/events` NDJSON and
/// stores it through the same decoder and writer as the live stream. Decoding runs on the reading
/// thread and SQLite on the writer's, so the two cores work in a pipeline.
public struct Ingestor: Sendable {
    public struct Progress: Sendable {
        public var lines = 0
        public var bytes = 0
        public var malformed = 0
    }

    let writer: EventWriter
    /// The reader pauses while more than this many events wait for the writer, bounding memory.
    let highWater: Int

    public init(writer: EventWriter, highWater: Int = 20_000) {
        self.writer = writer
        self.highWater = highWater
    }

    /// Reads `fd` to its end. `report` is called about every `reportEveryBytes` for progress output.
    public func ingest(fd: Int32, reportEveryBytes: Int = 16 << 20, report: @escaping @Sendable (Progress) -> Void = { _ in }) async throws(IngestError) -> Progress {
        let writer = self.writer
        let highWater = self.highWater
        let progress = try await OwnThread.run("audit-ingest") { () throws(IngestError) -> Progress in
            var progress = Progress()
            var splitter = LineSplitter()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var batch: [StreamItem] = []
            batch.reserveCapacity(4096)
            var nextReport = reportEveryBytes
            let interner = Interner()
            func hand(_ line: UnsafeRawBufferPointer) {
                let item = EventDecoder.decode(line, interner: interner)
                if case .malformed = item { progress.malformed += 1 }
                batch.append(item)
                progress.lines += 1
            }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IngestError(message: "read failed: \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                progress.bytes += n
                buffer.withUnsafeBytes { splitter.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n]), hand) }
                if batch.count >= 2048 {
                    writer.enqueue(batch, source: .ingest)
                    batch.removeAll(keepingCapacity: true)
                    while writer.pendingEvents > highWater { usleep(2000) }
                }
                if progress.bytes >= nextReport {
                    report(progress)
                    nextReport += reportEveryBytes
                }
            }
            splitter.finish(hand)
            if !batch.isEmpty { writer.enqueue(batch, source: .ingest) }
            return progress
        }
        await writer.flush()
        return progress
    }
}

public struct IngestError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
