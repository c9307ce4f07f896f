import Synchronization

/// Counters the writer keeps for `audit status`, `/metrics` and the benchmark; readable from any thread.
public final class WriterStatistics: Sendable {
    private let stored = Atomic<Int>(0)
    private let duplicates = Atomic<Int>(0)
    private let quarantined = Atomic<Int>(0)
    private let lastEventNs = Atomic<Int64>(0)
    private let busy = Atomic<Int64>(0)
    private let dropped = Atomic<Int>(0)
    private let full = Atomic<Bool>(false)

    public init() {}

    public var eventsStored: Int { stored.load(ordering: .relaxed) }
    public var duplicatesSkipped: Int { duplicates.load(ordering: .relaxed) }
    public var linesQuarantined: Int { quarantined.load(ordering: .relaxed) }
    /// `timeNano` of the newest event stored, 0 before the first.
    public var newestEventNs: Int64 { lastEventNs.load(ordering: .relaxed) }

    /// Events the writer had to give up (a full disk past the memory bound, a batch that failed 20 times);
    /// each run of them is also stored as a gap.
    public var eventsDropped: Int { dropped.load(ordering: .relaxed) }
    /// True while the store's file system refuses writes and events wait in memory.
    public var storeFull: Bool { full.load(ordering: .relaxed) }

    func addDropped(_ n: Int) { dropped.add(n, ordering: .relaxed) }
    func setFull(_ value: Bool) { full.store(value, ordering: .relaxed) }

    /// Time the writer thread spent inside SQLite transactions: the benchmark's split of the pipeline.
    public var busyNs: Int64 { busy.load(ordering: .relaxed) }

    func addBusy(_ ns: Int64) { busy.add(ns, ordering: .relaxed) }

    func record(stored s: Int, duplicates d: Int, quarantined q: Int, newest: Int64) {
        stored.add(s, ordering: .relaxed)
        duplicates.add(d, ordering: .relaxed)
        quarantined.add(q, ordering: .relaxed)
        if newest > lastEventNs.load(ordering: .relaxed) { lastEventNs.store(newest, ordering: .relaxed) }
    }
}
