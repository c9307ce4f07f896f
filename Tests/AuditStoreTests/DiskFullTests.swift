import Foundation
import Logging
import Testing
@testable import AuditStore
import DockerAPI

/// A store whose file system fills up: the writer keeps the events in a bounded memory buffer, logs the
/// error once a minute rather than every try, drops the oldest past the bound and records them as a gap,
/// and carries on by itself when space returns, losing nothing that fit in the buffer. A real full file
/// system: a 4 MiB tmpfs (root only, as `mount` needs).
@Suite(.serialized, .enabled(if: getuid() == 0, "mounts a small tmpfs: needs root"))
struct DiskFullTests {
    @Test(.timeLimit(.minutes(1))) func aFullDiskIsWaitedOutInMemoryAndWhatOverflowedBecomesAGap() async throws {
        let dir = "/tmp/audit-diskfull-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(system("mount -t tmpfs -o size=4m tmpfs \(dir)") == 0)
        defer {
            _ = system("umount \(dir)")
            try? FileManager.default.removeItem(atPath: dir)
        }
        let path = dir + "/audit.db"
        let log = WriterFailureTests.LogRecorder()
        let writer = try EventWriter(path: path, logger: Logger(label: "disk-full") { _ in log }, flushIntervalMs: 10,
                                     maxRetainedEvents: 2_000, fullRetryMs: 100)
        func events(_ range: Range<Int>) -> [DockerEvent] {
            range.map { event("start", actor: "c\($0 % 50)", at: 1_000_000_000 + Int64($0) * 1_000) }
        }
        writer.openCoverage(dockerHost: "unix:///test.sock", startedNs: 1)
        writer.enqueue(events: events(0..<500), source: .stream)
        await writer.flush()
        #expect(writer.statistics.eventsStored == 500)

        // Fill the file system to the last byte.
        _ = system("cat /dev/zero > \(dir)/filler 2>/dev/null")
        writer.enqueue(events: events(500..<1_500), source: .stream)
        try await Task.sleep(for: .milliseconds(700))   // several tries, all refused
        writer.enqueue(events: events(1_500..<3_500), source: .stream)
        try await Task.sleep(for: .milliseconds(700))
        // A flush returns while the disk is full (the collector's catch-up waits on one), and stores nothing.
        await writer.flush()
        #expect(writer.statistics.eventsStored == 500, "nothing can be stored while the disk is full")
        #expect(writer.statistics.storeFull && writer.statistics.eventsDropped == 1_000)
        let full = log.entries(.error, "store is full; keeping events in memory and retrying (logged once a minute)")
        #expect(full.count == 1, "logged once, not per try: \(log.all.map(\.message))")
        #expect(full.first?.metadata["store.error"]?.contains("full") == true, "\(String(describing: full.first?.metadata))")

        // Space returns: the newest 2,000 are stored, the 1,000 oldest that did not fit are a gap.
        unlink(dir + "/filler")
        try await eventually { writer.statistics.eventsStored == 2_500 }
        await writer.close()
        #expect(!writer.statistics.storeFull && writer.statistics.eventsDropped == 1_000)
        #expect(!log.entries(.notice, "store writable again").isEmpty)
        let reader = try StoreReader(path: path)
        let stored = try reader.events(EventQuery(sinceNs: 0, untilNs: .max)).map(\.timeNano)
        #expect(stored.count == 2_500)
        #expect(stored.contains(1_000_000_000 + 1_500 * 1_000) && !stored.contains(1_000_000_000 + 1_499 * 1_000),
                "exactly the oldest batch that did not fit was dropped")
        let gaps = try reader.gaps(fromNs: 0, toNs: .max)
        try #require(gaps.count == 1, "\(gaps)")
        #expect(gaps[0].fromNs == 1_000_000_000 + 500 * 1_000 && gaps[0].toNs == 1_000_000_000 + 1_499 * 1_000)
        #expect(gaps[0].cause == "1000 events dropped: the store's file system was full" && gaps[0].dockerHost == "unix:///test.sock")
    }

    private func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
        #expect(condition(), "not reached within 10 s")
    }
}
