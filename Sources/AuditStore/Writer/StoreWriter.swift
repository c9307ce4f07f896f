import AuditSupport
import DockerAPI
import Logging

/// The SQLite side of `EventWriter`: prepared statements and the dictionaries (actors, attribute sets)
/// that keep rows small. Created on the caller's thread, then handed to the writer thread, the only
/// one that touches it afterwards: hence unchecked.
final class StoreWriter: @unchecked Sendable {
    private struct ActorKey: Hashable { let type: String; let id: String }

    /// What the writer remembers of an actor: its row, and the attribute set its last event used (a
    /// container's labels do not change, so most events hit this without hashing ~800 bytes).
    private final class ActorEntry {
        let rowID: Int64
        var lastSet: [UInt8] = []
        var lastSetID: Int64 = 0
        init(rowID: Int64) { self.rowID = rowID }
    }

    private let db: Database
    private let logger: Logger
    private let events: EventInserter
    private let upsertActor: Statement
    private let insertSet: Statement
    private let selectSet: Statement
    private let insertQuarantine: Statement
    private let insertSnapshot: Statement
    private let insertExec: Statement
    private let insertCoverage: Statement
    private let touchCoverage: Statement
    private let endCoverage: Statement
    private let insertGap: Statement
    private let summaries: BatchSummaries
    private var actors: [ActorKey: ActorEntry] = [:]
    /// Events come in runs per container (an exec is three events): the last actor skips the lookup.
    private var lastActor: (key: ActorKey, entry: ActorEntry)?
    private var attributeSets: [CanonicalKey: Int64] = [:]
    private var openCoverage: Int64?
    private var coverageHost: String?
    private var failedAttempts = 0
    /// Events held in memory while the disk is full; past this many the oldest are dropped.
    private let maxRetainedEvents: Int
    /// True while the last write failed for want of space: the writer then retries less often.
    private(set) var storeFull = false
    private var fullSinceNs: Int64?
    private var lastFullLogNs: Int64?
    /// What had to be dropped, stored as a gap with the next batch that commits.
    private var dropped: (fromNs: Int64, toNs: Int64, events: Int, reason: String)?

    init(db: Database, logger: Logger, maxRetainedEvents: Int = 250_000) throws(SQLiteError) {
        self.db = db
        self.logger = logger
        self.maxRetainedEvents = maxRetainedEvents
        events = try EventInserter(db: db)
        upsertActor = try db.prepare("""
            INSERT INTO actors (type, docker_id, project, service) VALUES (?, ?, ?, ?)
            ON CONFLICT (type, docker_id) DO UPDATE SET
                project = coalesce(actors.project, excluded.project), service = coalesce(actors.service, excluded.service)
            RETURNING id
            """)
        insertSet = try db.prepare("INSERT OR IGNORE INTO attribute_sets (attributes) VALUES (?)")
        selectSet = try db.prepare("SELECT id FROM attribute_sets WHERE attributes = ?")
        insertQuarantine = try db.prepare("INSERT INTO quarantine (received_ns, source, reason, raw) VALUES (?, ?, ?, ?)")
        insertSnapshot = try db.prepare("""
            INSERT INTO container_snapshots (actor, taken_ns, trigger_ns, reason, name, image_id, image_ref, started_at_ns, running, config)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertExec = try db.prepare("""
            INSERT OR REPLACE INTO exec_sessions (exec_id, actor, inspected_ns, user, privileged, tty, open_stdin, entrypoint, arguments)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertCoverage = try db.prepare("INSERT INTO coverage (docker_host, started_ns, last_seen_ns) VALUES (?, ?, ?)")
        touchCoverage = try db.prepare("UPDATE coverage SET last_seen_ns = max(last_seen_ns, ?) WHERE id = ?")
        endCoverage = try db.prepare("UPDATE coverage SET last_seen_ns = max(last_seen_ns, ?), ended_ns = ?, end_reason = ? WHERE id = ?")
        insertGap = try db.prepare("""
            INSERT INTO gaps (docker_host, from_ns, to_ns, cause, replayed, reconciled_ns, changes_found) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        summaries = try BatchSummaries(db: db)
        // An interval left open means the previous collector died without closing it (kill -9, power
        // loss): it ended at its last heartbeat.
        try db.execute("UPDATE coverage SET ended_ns = last_seen_ns, end_reason = 'collector stopped unexpectedly' WHERE ended_ns IS NULL")
    }

    /// A pruner on the writer's own connection: its steps run on the writer thread, between batches.
    func pruner(for plan: PrunePlan) -> StorePruner { StorePruner(db: db, plan: plan) }

    /// Writes one batch in one transaction. A failed batch is retried on the next tick (a lock held by a
    /// backup); after 20 failures in a row it is dropped with an error naming what was lost. A full disk
    /// is waited out instead: the batch stays in memory up to `maxRetainedEvents` events, the oldest
    /// beyond that are dropped, the error is logged once a minute, and whatever was dropped is stored as
    /// a gap once space returns. Returns the operations to retry.
    func write(_ work: [EventWriter.Operation], heartbeatNs: Int64?, statistics: WriterStatistics) -> [EventWriter.Operation] {
        var stored = 0, duplicates = 0, quarantined = 0
        var newest: Int64 = 0
        // Coverage state changes inside the transaction; a rollback must take it back too.
        let (coverageBefore, hostBefore) = (openCoverage, coverageHost)
        do {
            try db.transaction { () throws(SQLiteError) in
                if let dropped {
                    try store(GapRecord(dockerHost: coverageHost ?? "", fromNs: dropped.fromNs, toNs: dropped.toNs,
                                        cause: "\(dropped.events) events dropped: \(dropped.reason)", replayed: 0, reconciledNs: nil, changesFound: nil))
                }
                for operation in work {
                    switch operation {
                    case .items(let items, let source, let receivedNs):
                        for item in items {
                            switch item {
                            case .event(let event):
                                if try store(event, source: source) { stored += 1 } else { duplicates += 1 }
                                newest = max(newest, event.timeNano)
                            case .malformed(let line):
                                try quarantine(line, source: source, receivedNs: receivedNs)
                                quarantined += 1
                            }
                        }
                    case .events(let events, let source):
                        for event in events {
                            if try store(event, source: source) { stored += 1 } else { duplicates += 1 }
                        }
                    case .snapshot(let record): try store(record)
                    case .exec(let record): try store(record)
                    case .coverageOpen(let host, let startedNs):
                        coverageHost = host
                        if let open = openCoverage { try end(open, at: startedNs, reason: "superseded") }
                        insertCoverage.bind(1, host)
                        insertCoverage.bind(2, startedNs)
                        insertCoverage.bind(3, startedNs)
                        try insertCoverage.run()
                        openCoverage = db.lastInsertRowID
                    case .coverageClose(let endedNs, let reason):
                        if let open = openCoverage { try end(open, at: endedNs, reason: reason) }
                        openCoverage = nil
                    case .gap(let gap): try store(gap)
                    case .barrier: break
                    }
                }
                try events.flush()
                try summaries.flush()
                if let heartbeatNs, let open = openCoverage {
                    touchCoverage.bind(1, heartbeatNs)
                    touchCoverage.bind(2, open)
                    try touchCoverage.run()
                }
            }
        } catch {
            // The dictionaries may now name rows the rollback removed.
            (openCoverage, coverageHost) = (coverageBefore, hostBefore)
            actors.removeAll()
            lastActor = nil
            summaries.discard()
            events.rolledBack()
            attributeSets.removeAll()
            if error.code & 0xff == 13 /* SQLITE_FULL */ { return waitForSpace(work, error: error, statistics: statistics) }
            failedAttempts += 1
            let events = Self.eventCount(work)
            if failedAttempts >= 20 {
                logger.error("store write failed 20 times; dropping the batch", metadata: [
                    "store.error": "\(error)", "store.events_lost": "\(events)", "store.path": "\(db.path)",
                ])
                failedAttempts = 0
                drop(work, reason: "\(error)", statistics: statistics)
                return []
            }
            logger.warning("store write failed; retrying", metadata: ["store.error": "\(error)", "store.events_pending": "\(events)"])
            return work
        }
        failedAttempts = 0
        if let since = fullSinceNs {
            logger.notice("store writable again", metadata: [
                "store.full_seconds": "\((Timestamp.now().nanoseconds - since) / 1_000_000_000)", "store.events_dropped": "\(dropped?.events ?? 0)",
            ])
        }
        if storeFull { statistics.setFull(false) }
        storeFull = false
        fullSinceNs = nil
        lastFullLogNs = nil
        dropped = nil
        events.committed()
        // Rows the multi-row insert ignored after all (another process wrote them meanwhile).
        let ignored = events.takeUnexpectedDuplicates()
        statistics.record(stored: stored - ignored, duplicates: duplicates + ignored, quarantined: quarantined, newest: newest)
        return []
    }

    /// The disk is full: keep the batch (the newest `maxRetainedEvents` events of it) for the next try.
    private func waitForSpace(_ work: [EventWriter.Operation], error: SQLiteError, statistics: WriterStatistics) -> [EventWriter.Operation] {
        let now = Timestamp.now().nanoseconds
        storeFull = true
        statistics.setFull(true)
        if fullSinceNs == nil { fullSinceNs = now }
        var kept = work
        var excess = Self.eventCount(kept) - maxRetainedEvents
        var shed: [EventWriter.Operation] = []
        while excess > 0, let index = kept.firstIndex(where: { Self.eventCount([$0]) > 0 }) {
            excess -= Self.eventCount([kept[index]])
            shed.append(kept.remove(at: index))
        }
        drop(shed, reason: "the store's file system was full", statistics: statistics)
        if lastFullLogNs.map({ now - $0 >= 60_000_000_000 }) ?? true {
            lastFullLogNs = now
            logger.error("store is full; keeping events in memory and retrying (logged once a minute)", metadata: [
                "store.error": "\(error)", "store.path": "\(db.path)", "store.events_pending": "\(Self.eventCount(kept))",
                "store.events_dropped": "\(dropped?.events ?? 0)", "store.memory_limit_events": "\(maxRetainedEvents)",
            ])
        }
        return kept
    }

    /// Remembers what is lost, as the gap it leaves.
    private func drop(_ operations: [EventWriter.Operation], reason: String, statistics: WriterStatistics) {
        var times: [Int64] = []
        for operation in operations {
            switch operation {
            case .items(let items, _, _): for case .event(let e) in items { times.append(e.timeNano) }
            case .events(let events, _): times += events.map(\.timeNano)
            default: break
            }
        }
        guard let first = times.min(), let last = times.max() else { return }
        let count = Self.eventCount(operations)
        statistics.addDropped(count)
        dropped = dropped.map { (min($0.fromNs, first), max($0.toNs, last), $0.events + count, $0.reason) } ?? (first, last, count, reason)
    }

    static func eventCount(_ work: [EventWriter.Operation]) -> Int {
        work.reduce(0) { n, op in
            switch op {
            case .items(let items, _, _): return n + items.count
            case .events(let events, _): return n + events.count
            default: return n
            }
        }
    }

    private func end(_ id: Int64, at ns: Int64, reason: String) throws(SQLiteError) {
        endCoverage.bind(1, ns)
        endCoverage.bind(2, ns)
        endCoverage.bind(3, reason)
        endCoverage.bind(4, id)
        try endCoverage.run()
    }

    /// Inserts the event unless the same (time, actor, action) is already stored; true when inserted.
    private func store(_ event: DockerEvent, source: EventSource) throws(SQLiteError) -> Bool {
        let split = AttributeSplit.split(event.attributes)
        let actor = try actorEntry(type: event.type, id: event.actorID, labels: event.attributes)
        let set: Int64
        // The decoder's interner hands the same array for an unchanged label set: then no bytes compare.
        if actor.lastSetID != 0, ByteScan.equal(split.stable, actor.lastSet) {
            set = actor.lastSetID
        } else {
            set = try attributeSetID(split.stable)
            actor.lastSet = split.stable
            actor.lastSetID = set
        }
        let row = EventInserter.Row(
            timeNano: event.timeNano, actor: actor.rowID, action: event.action, detail: event.detail, attributeSet: set,
            extra: split.extra.isEmpty ? nil : split.extra, scope: event.scope == "local" ? nil : event.scope, source: source.rawValue)
        guard try events.insert(row) else { return false }
        summaries.add(event, actorRow: actor.rowID, source: source)
        return true
    }

    private func actorID(type: String, id: String, labels: Attributes) throws(SQLiteError) -> Int64 {
        try actorEntry(type: type, id: id, labels: labels).rowID
    }

    private func actorEntry(type: String, id: String, labels: Attributes) throws(SQLiteError) -> ActorEntry {
        if let last = lastActor, last.key.id == id, last.key.type == type { return last.entry }
        let key = ActorKey(type: type, id: id)
        if let cached = actors[key] {
            lastActor = (key, cached)
            return cached
        }
        upsertActor.bind(1, type)
        upsertActor.bind(2, id)
        upsertActor.bind(3, labels["com.docker.compose.project"])
        upsertActor.bind(4, labels["com.docker.compose.service"])
        defer { upsertActor.reset() }
        guard try upsertActor.step() else { throw SQLiteError(code: 1, message: "upsert of actor \(type) \(id) returned no row", sql: nil) }
        let entry = ActorEntry(rowID: upsertActor.int64(0))
        if actors.count > 200_000 { actors.removeAll() }
        actors[key] = entry
        lastActor = (key, entry)
        return entry
    }

    private func attributeSetID(_ canonical: [UInt8]) throws(SQLiteError) -> Int64 {
        if let cached = attributeSets[CanonicalKey(bytes: canonical)] { return cached }
        insertSet.bind(1, text: canonical)
        try insertSet.run()
        selectSet.bind(1, text: canonical)
        defer { selectSet.reset() }
        guard try selectSet.step() else { throw SQLiteError(code: 1, message: "attribute set vanished after insert", sql: nil) }
        let rowID = selectSet.int64(0)
        if attributeSets.count > 100_000 { attributeSets.removeAll() }
        attributeSets[CanonicalKey(bytes: canonical)] = rowID
        return rowID
    }

    private func quarantine(_ line: MalformedLine, source: EventSource, receivedNs: Int64) throws(SQLiteError) {
        insertQuarantine.bind(1, receivedNs)
        insertQuarantine.bind(2, source.rawValue)
        insertQuarantine.bind(3, line.reason)
        insertQuarantine.bind(4, blob: line.raw)
        try insertQuarantine.run()
    }

    private func store(_ record: SnapshotRecord) throws(SQLiteError) {
        let labels = Attributes(record.snapshot?.labels ?? [:])
        let actor = try actorID(type: "container", id: record.containerID, labels: labels)
        let s = record.snapshot
        insertSnapshot.bind(1, actor)
        insertSnapshot.bind(2, record.takenNs)
        insertSnapshot.bind(3, record.triggerNs)
        insertSnapshot.bind(4, record.reason)
        insertSnapshot.bind(5, s?.name)
        insertSnapshot.bind(6, s?.imageID)
        insertSnapshot.bind(7, s?.imageRef)
        insertSnapshot.bind(8, s?.startedAtTimestamp?.nanoseconds)
        insertSnapshot.bind(9, s?.running)
        insertSnapshot.bind(10, s?.json())
        try insertSnapshot.run()
    }

    private func store(_ record: ExecRecord) throws(SQLiteError) {
        let actor = try actorID(type: "container", id: record.containerID, labels: Attributes())
        var arguments = JSONWriter()
        arguments.beginArray()
        for argument in record.arguments { arguments.string(argument) }
        arguments.endArray()
        insertExec.bind(1, record.execID)
        insertExec.bind(2, actor)
        insertExec.bind(3, record.inspectedNs)
        insertExec.bind(4, record.user)
        insertExec.bind(5, record.privileged)
        insertExec.bind(6, record.tty)
        insertExec.bind(7, record.openStdin)
        insertExec.bind(8, record.entrypoint)
        insertExec.bind(9, arguments.text)
        try insertExec.run()
    }

    private func store(_ gap: GapRecord) throws(SQLiteError) {
        insertGap.bind(1, gap.dockerHost)
        insertGap.bind(2, gap.fromNs)
        insertGap.bind(3, gap.toNs)
        insertGap.bind(4, gap.cause)
        insertGap.bind(5, gap.replayed)
        insertGap.bind(6, gap.reconciledNs)
        insertGap.bind(7, gap.changesFound)
        try insertGap.run()
    }
}

/// Canonical JSON bytes as a dictionary key, hashed in one pass over the bytes.
private struct CanonicalKey: Hashable {
    let bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: CanonicalKey, b: CanonicalKey) -> Bool {
        ByteScan.equal(a.bytes, b.bytes)
    }
}
