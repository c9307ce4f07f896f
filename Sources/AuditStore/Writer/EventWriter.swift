import AuditSupport
import DockerAPI
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's single writer. Callers hand it work without ever waiting (the event stream must keep
/// reading: the daemon drops events for a subscriber that stalls 100 ms); a thread of its own commits
/// what has accumulated every 250 ms, or sooner once `batchLimit` events wait.
public final class EventWriter: Sendable {
    enum Operation: Sendable {
        case items([StreamItem], EventSource, receivedNs: Int64)
        case events([DockerEvent], EventSource)
        case snapshot(SnapshotRecord)
        case exec(ExecRecord)
        case coverageOpen(dockerHost: String, startedNs: Int64)
        case coverageClose(endedNs: Int64, reason: String)
        case gap(GapRecord)
        case barrier(@Sendable () -> Void)
    }

    private struct Queue {
        var pending: [Operation] = []
        var pendingEvents = 0
        var closed = false
        /// Batches the writer has stored, left for the producer to free. Freeing a batch costs about a
        /// microsecond per event (its strings and byte arrays were allocated on the producer's
        /// thread); the producer has time to spare, the writer does not.
        var written: [[Operation]] = []
        /// Prune passes asked for, run one after another between batches.
        var prunes: [(PrunePlan, @Sendable (PruneProgress) -> Void)] = []
        /// Set by a cancelled `prune` caller: the pass in progress ends after its current step.
        var pruneCancelled = false
    }

    /// The prune pass in progress on the writer thread.
    private struct ActivePrune {
        let pruner: StorePruner
        let done: @Sendable (PruneProgress) -> Void
        var failures = 0
    }

    public let statistics = WriterStatistics()
    public let path: String
    private let queue = Mutex(Queue())
    private let wakeup = Semaphore()
    private let finished = Semaphore()
    private let batchLimit: Int
    private let flushIntervalNs: Int64
    private let fullRetryNs: Int64
    /// What a prune may take while events flow, as a fraction of the time writing them took.
    private let pruneShare: Double
    /// A prune costs more than the writer time it is given: the checkpointer copies every page it
    /// dirtied, and its reads push the inserts' pages out of the cache. At 0.2, a release build
    /// ingesting at full speed (334k events/s alone) kept 59% of its rate while a 3M-event store was
    /// pruned: about 3.5 times the share. Hence 6%.
    public static let defaultPruneShare = 0.06
    private let logger: Logger
    private let checkpointer: Checkpointer

    /// Opens the database at `path` (migrating it) and starts the writer thread. The write-ahead log
    /// starts over once it passes `logLimitBytes` (see `LogLengthLimit`).
    /// While the disk is full, up to `maxRetainedEvents` events wait in memory (the oldest beyond are
    /// dropped and recorded as a gap); a retry runs every `fullRetryMs`.
    public init(path: String, logger: Logger, batchLimit: Int = 5000, flushIntervalMs: Int = 250, logLimitBytes: Int = 64 << 20,
                maxRetainedEvents: Int = 250_000, fullRetryMs: Int = 2000, pruneShare: Double = EventWriter.defaultPruneShare) throws(SQLiteError) {
        let db = try Database(path: path)
        // Checkpoints run on the checkpointer's connection, never inside the writer's commits (past
        // the log limit, the writer finishes one between them).
        let logLimit = try LogLengthLimit(db: db, limitBytes: logLimitBytes)
        let store = try StoreWriter(db: db, logger: logger, maxRetainedEvents: maxRetainedEvents)
        checkpointer = try Checkpointer(path: path, logger: logger)
        self.path = path
        self.batchLimit = batchLimit
        self.flushIntervalNs = Int64(flushIntervalMs) * 1_000_000
        self.fullRetryNs = Int64(fullRetryMs) * 1_000_000
        self.pruneShare = min(max(pruneShare, 0.01), 1)
        self.logger = logger
        OwnThread.start("audit-writer") { [self] in
            self.loop(store, logLimit)
        }
    }

    // MARK: - enqueueing (any thread, never blocks on SQLite)

    public func enqueue(_ items: [StreamItem], source: EventSource, receivedNs: Int64 = Timestamp.now().nanoseconds) {
        push(.items(items, source, receivedNs: receivedNs), events: items.count)
    }

    public func enqueue(events: [DockerEvent], source: EventSource) {
        push(.events(events, source), events: events.count)
    }

    public func enqueue(snapshot: SnapshotRecord) { push(.snapshot(snapshot), events: 0) }
    public func enqueue(exec: ExecRecord) { push(.exec(exec), events: 0) }

    /// Starts a coverage interval; the writer moves its end forward while it stays open.
    public func openCoverage(dockerHost: String, startedNs: Int64) { push(.coverageOpen(dockerHost: dockerHost, startedNs: startedNs), events: 0) }
    public func closeCoverage(endedNs: Int64, reason: String) { push(.coverageClose(endedNs: endedNs, reason: reason), events: 0) }
    public func record(gap: GapRecord) { push(.gap(gap), events: 0) }

    /// Returns once everything enqueued before the call is committed.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            push(.barrier { continuation.resume() }, events: batchLimit)
        }
    }

    /// Flushes, closes any open coverage interval with `reason`, and stops the thread.
    public func close(reason: String = "collector stopped") async {
        closeCoverage(endedNs: Timestamp.now().nanoseconds, reason: reason)
        await flush()
        queue.withLock { $0.closed = true }
        wakeup.signal()
        await OwnThread.run("audit-writer-join") {
            self.finished.wait()
            self.checkpointer.stop()
        }
    }

    /// Carries out `plan` on the writer's thread between event batches and returns what it did
    /// (`finished` false when shutdown or repeated failures cut it short; a later pass resumes).
    /// Events keep priority: while they flow, pruning gets `pruneShare` of the time writing them took,
    /// so that ingest keeps over 80% of its rate (`audit bench prune`); while the store is quiet (no events for a flush interval, 250 ms) it gets 50 ms at a time. Momentary lulls do not count
    /// as quiet: on a host whose decoder, not its writer, sets the pace, the writer idles between batches,
    /// and pruning in those gaps took CPU from the decoder (measured: ingest at 61% of its rate).
    /// Cancelling the calling task ends the pass after its current step (what it deleted stays deleted).
    public func prune(_ plan: PrunePlan) async -> PruneProgress {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<PruneProgress, Never>) in
                // Checked under the lock: a cancellation whose handler already ran must not be undone
                // by the reset below (a SIGTERM while the plan was being made).
                let refused = queue.withLock { q -> Bool in
                    guard !q.closed, !Task.isCancelled else { return true }
                    q.pruneCancelled = false
                    q.prunes.append((plan, { continuation.resume(returning: $0) }))
                    return false
                }
                if refused { continuation.resume(returning: PruneProgress()) } else { wakeup.signal() }
            }
        } onCancel: {
            queue.withLock { $0.pruneCancelled = true }
            wakeup.signal()
        }
    }

    /// Events handed over and not yet taken by the writer thread.
    public var pendingEvents: Int { queue.withLock { $0.pendingEvents } }

    private func push(_ operation: Operation, events: Int) {
        let (wake, written) = queue.withLock { q -> (Bool, [[Operation]]) in
            q.pending.append(operation)
            q.pendingEvents += events
            let written = q.written
            q.written.removeAll()
            return (q.pendingEvents >= batchLimit, written)
        }
        if wake { wakeup.signal() }
        _ = consume written  // freed here, on the producer's thread
    }

    // MARK: - the writer thread

    private func loop(_ store: StoreWriter, _ logLimit: LogLengthLimit) {
        var lastHeartbeat: Int64 = 0
        var lastAttempt: Int64 = 0
        var attemptsSinceClose = 0
        var retry: [Operation] = []
        var pruning: ActivePrune?
        var pruneCreditNs: Int64 = 0
        var lastEventsNs: Int64 = 0
        while true {
            // While a prune runs the writer does not sleep between its steps, only long enough to
            // gather the events that arrived meanwhile.
            _ = wakeup.wait(timeoutNs: pruning == nil ? flushIntervalNs : 1_000_000)
            let (fresh, closed, pruneCancelled, nextPrune) = queue.withLock { q -> ([Operation], Bool, Bool, (PrunePlan, @Sendable (PruneProgress) -> Void)?) in
                let work = q.pending
                q.pending.removeAll(keepingCapacity: true)
                q.pendingEvents = 0
                let next = pruning == nil && !q.prunes.isEmpty ? q.prunes.removeFirst() : nil
                return (work, q.closed, q.pruneCancelled, next)
            }
            if let (plan, done) = nextPrune { pruning = ActivePrune(pruner: store.pruner(for: plan), done: done) }
            let work = retry.isEmpty ? fresh : retry + fresh
            let now = Timestamp.now().nanoseconds
            // A full disk is tried every `fullRetryNs`, not every tick: each try writes until the
            // disk refuses, then rolls back.
            if store.storeFull && !closed && now - lastAttempt < fullRetryNs {
                retry = work
                continue
            }
            let heartbeat = now - lastHeartbeat >= 1_000_000_000
            if !work.isEmpty || heartbeat {
                lastAttempt = now
                retry = store.write(work, heartbeatNs: heartbeat ? now : nil, statistics: statistics)
                logLimit.enforce()
                let busy = Timestamp.now().nanoseconds - now
                statistics.addBusy(busy)
                if heartbeat { lastHeartbeat = now }
                if StoreWriter.eventCount(work) > 0 {
                    pruneCreditNs = min(pruneCreditNs + Int64(Double(busy) * pruneShare), 50_000_000)
                    lastEventsNs = now
                }
            }
            if let active = pruning {
                pruning = store.storeFull && !closed ? active
                    : step(active, credit: &pruneCreditNs, quiet: now - lastEventsNs >= flushIntervalNs, closed: closed || pruneCancelled)
            }
            // Each barrier is released once: here while the store is full, or below once its batch settles.
            var released = false
            if store.storeFull && !retry.isEmpty {
                // Space may take hours to return: whoever waits on `flush` (the collector between its
                // catch-up and its reconciliation) goes on, with the events held here in memory.
                for case .barrier(let done) in retry { done() }
                retry.removeAll { if case .barrier = $0 { return true } else { return false } }
                released = true
            }
            if closed { attemptsSinceClose += 1 }
            // Shutting down on a full disk: three more tries, then what could not be written is lost
            // (and said so), rather than holding SIGTERM forever.
            if closed && !retry.isEmpty && attemptsSinceClose >= 3 {
                logger.error("store still not writable at shutdown; events not stored", metadata: [
                    "store.path": "\(path)", "store.events_lost": "\(StoreWriter.eventCount(retry))",
                ])
                retry = []
            }
            if retry.isEmpty && !released {
                for case .barrier(let done) in work { done() }
                // Hand the batch back for freeing, unless the producer has stopped collecting them.
                if !work.isEmpty { queue.withLock { q in if q.written.count < 8 && !q.closed { q.written.append(work) } } }
            }
            if closed && retry.isEmpty { break }
        }
        for request in queue.withLock({ q in defer { q.prunes.removeAll() }; return q.prunes }) { request.1(PruneProgress()) }
        finished.signal()
    }

    /// Runs the prune for as long as its credit allows: `pruneShare` of what the events took while they flow,
    /// 50 ms once none came for a flush interval. Returns nil once the prune is over (done, failing, or shutting down).
    private func step(_ active: ActivePrune, credit: inout Int64, quiet: Bool, closed: Bool) -> ActivePrune? {
        var active = active
        if closed {
            active.done(active.pruner.progress)
            return nil
        }
        if quiet { credit = max(credit, 50_000_000) }
        guard credit > 0 else { return active }
        let start = Timestamp.now().nanoseconds
        do {
            let finished = try active.pruner.run(budgetNs: credit)
            credit -= Timestamp.now().nanoseconds - start
            active.failures = 0
            if finished {
                active.done(active.pruner.progress)
                return nil
            }
        } catch {
            credit -= Timestamp.now().nanoseconds - start
            active.failures += 1
            logger.warning("prune step failed; retrying", metadata: ["store.error": "\(error)", "store.path": "\(path)"])
            if active.failures >= 5 {
                logger.error("prune stopped after 5 failed steps; the next pass resumes where it stopped", metadata: ["store.error": "\(error)"])
                active.done(active.pruner.progress)
                return nil
            }
        }
        return active
    }
}

/// A counting semaphore with a timed wait, on pthread primitives (no Dispatch needed). The mutex and
/// condition live in memory of their own: pthread needs a stable address, and `&storedProperty` of a
/// class gives a temporary one (undefined behaviour in Swift).
final class Semaphore: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var count = 0

    init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func signal() {
        pthread_mutex_lock(mutex)
        count += 1
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    func wait() {
        pthread_mutex_lock(mutex)
        while count == 0 { pthread_cond_wait(condition, mutex) }
        count -= 1
        pthread_mutex_unlock(mutex)
    }

    /// True when signalled, false on timeout.
    func wait(timeoutNs: Int64) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = Int64(deadline.tv_nsec) + timeoutNs
        deadline.tv_sec += Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count == 0 {
            if pthread_cond_timedwait(condition, mutex, &deadline) != 0 { return false }
        }
        count -= 1
        return true
    }
}
