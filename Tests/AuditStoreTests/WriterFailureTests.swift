import Logging
import Synchronization
import Testing
@testable import AuditStore

/// What the writer does with a batch SQLite will not commit (disk full, a lock held too long): it
/// keeps the batch and tries again each tick, gives up after 20 tries in a row with an error naming how
/// many events were lost, and carries on with what comes next.
@Suite struct WriterFailureTests {
    /// Log lines as the writer emitted them, for asserting on their level, message and metadata.
    final class LogRecorder: LogHandler, @unchecked Sendable {
        struct Entry {
            let level: Logger.Level
            let message: String
            let metadata: [String: String]
        }

        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        private let recorded = Mutex<[Entry]>([])

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            recorded.withLock { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: all)) }
        }

        func entries(_ level: Logger.Level, _ message: String) -> [Entry] {
            recorded.withLock { $0.filter { $0.level == level && $0.message == message } }
        }

        var all: [Entry] { recorded.withLock { $0 } }
    }

    static let retrying = "store write failed; retrying"
    static let dropping = "store write failed 20 times; dropping the batch"

    @Test(.timeLimit(.minutes(1)))
    func aBatchThatCannotCommitIsRetriedThenDroppedAndTheWriterGoesOn() async throws {
        try await withTemporaryStore { path in
            // A trigger that refuses every event row fails each commit of the batch for real, as a full
            // disk would, and a test can lift it. (A lock held elsewhere also fails it, but only after
            // the 10 s busy timeout per try.)
            let setup = try Database(path: path)
            try setup.execute("CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")

            let log = LogRecorder()
            // A short tick: the 20 tries take 20 ticks.
            let writer = try EventWriter(path: path, logger: Logger(label: "writer-test") { _ in log }, flushIntervalMs: 5)
            writer.enqueue(events: [event("start", at: 1_000), event("die", at: 2_000)], source: .stream)
            // Returns once the batch holding the barrier is settled: stored, or dropped.
            await writer.flush()

            let retries = log.entries(.warning, Self.retrying)
            #expect(retries.count == 19, "the first try and 19 retries fail before the 20th gives up: \(log.all.map(\.message))")
            #expect(retries.allSatisfy { $0.metadata["store.events_pending"] == "2" })
            #expect(retries.first?.metadata["store.error"]?.contains("refused by the test") == true, "\(String(describing: retries.first?.metadata))")
            let drops = log.entries(.error, Self.dropping)
            try #require(drops.count == 1)
            #expect(drops[0].metadata["store.events_lost"] == "2")
            #expect(drops[0].metadata["store.path"] == path)
            #expect(writer.statistics.eventsStored == 0)

            // The failure lifted, the next batch is stored: the writer did not stop with the dropped one.
            try setup.execute("DROP TRIGGER refuse_events")
            writer.enqueue(events: [event("start", at: 3_000)], source: .stream)
            await writer.close()
            #expect(writer.statistics.eventsStored == 1)
            let stored = try StoreReader(path: path).events(EventQuery(sinceNs: 0, untilNs: .max))
            #expect(stored.map(\.timeNano) == [3_000], "the dropped events stay lost, the later one is stored")
            // Nothing was retried after the drop: the failure count started over with the new batch.
            #expect(log.entries(.warning, Self.retrying).count == 19)
            #expect(log.entries(.error, Self.dropping).count == 1)
        }
    }
}
