import AuditStore
import AuditSupport
import Logging
import ServiceLifecycle

/// Forwards the events this host stores into the fleet's PostgreSQL (`audit collect --forward`), exactly
/// once in effect. The local store is the outbox: collecting never waits on the network, and a
/// PostgreSQL that is down, unreachable or refuses the password only delays forwarding (logged once per
/// state change, retried with capped backoff).
///
/// Where to resume is asked of PostgreSQL at every (re)connection: the newest time it holds for this
/// host, less `overlapNs`. What is sent again there is dropped by PostgreSQL's primary key.
public struct ForwarderService: Service {
    public struct Configuration: Sendable {
        public var url: FleetURL
        public var hostName: String
        /// Rows per INSERT. 5,000 rows of about 300 bytes make a statement of 1.5 MB, large enough that
        /// the round trip and the plan cost little per row.
        public var batchSize = 5_000
        /// How often to look for new events once caught up.
        public var pollInterval: Duration = .milliseconds(500)
        /// How far behind the newest forwarded time an event may still be committed locally. Times are
        /// the daemon's, not the commit's: the engine stamps an event before it publishes it, from
        /// several goroutines, so the stream can carry a slightly older event after a newer one, and the
        /// writer commits what arrives together. Sent again after a restart or when the count of
        /// stored events behind the cursor grows; gaps' reconciliations, whose events can lie further
        /// back, are sent again from the gap's start.
        public var overlapNs: Int64 = 5_000_000_000

        public init(url: FleetURL, hostName: String) {
            self.url = url
            self.hostName = hostName
        }
    }

    public let configuration: Configuration
    public let status: ForwarderStatus
    let storePath: String
    let logger: Logger

    public init(configuration: Configuration, storePath: String, logger: Logger) {
        self.configuration = configuration
        self.storePath = storePath
        self.logger = logger
        status = ForwarderStatus(target: configuration.url.description)
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.forward() }
        } catch is CancellationError {
            return
        }
    }

    private var target: String { configuration.url.description }

    private func forward() async throws {
        let path = storePath
        let ledger = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ForwardingLedger(path: path) }
        let name = configuration.hostName
        let identity = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.identity(name: name) }
        logger.info("forwarding events to PostgreSQL", metadata: ["fleet.url": "\(target)", "fleet.host.id": "\(identity.hostID)", "fleet.host.name": "\(identity.name)"])
        var backoff = Backoff()
        var problem: FleetError?
        while !Task.isCancelled {
            do {
                try await session(ledger: ledger, identity: identity, backoff: &backoff, problem: &problem)
            } catch {
                if Task.isCancelled { return }
                var found = (error as? SQLiteError).map { FleetError(.server, "the local store failed while forwarding: \($0)") }
                    ?? FleetProblem.describe(error, url: configuration.url)
                found.message += found.kind == .unreachable ? "; events stay in the local store and are forwarded once it answers"
                    : "; events stay in the local store meanwhile"
                // Once per state: the reason within one (refused, timed out) may vary from try to try.
                if found.kind != problem?.kind {
                    logger.error("forwarding to PostgreSQL failed; collecting goes on, forwarding is retried with backoff", metadata: [
                        "fleet.url": "\(target)", "fleet.problem": "\(found.kind.rawValue)", "fleet.error": "\(found.message)",
                    ])
                    problem = found
                }
                let failure = found.message
                let target = self.target
                // The backlog keeps growing while PostgreSQL is away: counted against what it last confirmed.
                let confirmed = status.snapshot.confirmedNs
                let backlog = try? await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in
                    var state = try ledger.state(target: target) ?? ForwardingState(target: target, updatedNs: 0)
                    let backlog = try ledger.backlog(afterNs: state.confirmedNs ?? confirmed)
                    state.pendingRows = backlog.rows
                    state.lastError = failure
                    state.lastErrorNs = Timestamp.now().nanoseconds
                    state.updatedNs = Timestamp.now().nanoseconds
                    try ledger.record(state)
                    // The change log keeps only what PostgreSQL has not confirmed, beside a full copy's rest.
                    return (backlog.rows, backlog.lagSeconds(confirmedNs: state.confirmedNs ?? confirmed), try ledger.pendingChanges(afterSeq: 0) + state.copyRowsLeft)
                }
                status.update {
                    $0.connected = false
                    $0.lastError = found.message
                    if let backlog {
                        $0.pendingRows = backlog.0
                        $0.lagSeconds = backlog.1
                        $0.pendingChanges = backlog.2
                    }
                }
                try await Task.sleep(for: backoff.next())
            }
        }
    }

    /// One connection: check the schema, learn what PostgreSQL holds, then send until something fails.
    private func session(ledger: ForwardingLedger, identity: HostIdentity, backoff: inout Backoff, problem: inout FleetError?) async throws {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let connection = try await FleetConnection.connect(configuration.url, logger: quiet)
        do {
            try await connection.migrate()
            try await connection.announce(identity)
            let confirmed = try await connection.confirmedNs(hostID: identity.hostID)
            logger.info(problem == nil ? "connected to PostgreSQL" : "connected to PostgreSQL again; forwarding resumes", metadata: [
                "fleet.url": "\(target)", "fleet.confirmed": "\(confirmed.map { RFC3339.format(Timestamp(nanoseconds: $0)) } ?? "nothing yet")",
            ])
            problem = nil
            status.update {
                $0.connected = true
                $0.lastError = nil
            }
            try await pump(connection: connection, ledger: ledger, identity: identity, confirmedNs: confirmed, backoff: &backoff)
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Sends the store's events after what PostgreSQL confirmed, in primary key order, batch by batch,
    /// taking turns with the other tables' changed rows (`RecordPump`): neither waits on the other's
    /// backlog, and a failure in either ends the connection the same way.
    ///
    /// Nothing dated past the host's clock (plus `futureSlackNs`) is sent yet: one event stamped in the
    /// future (a clock stepped back, a skewed `audit ingest`) would otherwise carry the position past
    /// every event stored after it. PostgreSQL's newest time is trusted only up to now for the same reason.
    private func pump(connection: FleetConnection, ledger: ForwardingLedger, identity: HostIdentity, confirmedNs confirmed: Int64?,
                      backoff: inout Backoff) async throws {
        let overlap = configuration.overlapNs
        let limit = configuration.batchSize
        let target = self.target
        var confirmedNs = confirmed.map { min($0, Timestamp.now().nanoseconds) }
        let startNs = confirmedNs.map { $0.minus(saturating: overlap) } ?? .min
        var eventsUntilNs: Int64?
        var markedUntilNs: Int64?
        var cursor = ForwardCursor.start(atNs: startNs)
        var sent = SentTimes(floorNs: startNs)
        let stored = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.state(target: target) }
        var gapsChecked = stored?.gapsCheckedNs ?? 0
        var recordedGapsChecked = gapsChecked
        var days = Set<Int64>()
        var lastReport = ContinuousClock.now - .seconds(60)
        var records = try await RecordPump.start(connection: connection, ledger: ledger, hostID: identity.hostID, target: target, limit: limit,
                                                 logger: logger)

        func report() async throws {
            if let until = eventsUntilNs, until != markedUntilNs {
                try await connection.markEventsUntil(until, hostID: identity.hostID)
                markedUntilNs = until
            }
            let holds = confirmedNs
            let backlog = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.backlog(afterNs: holds) }
            let rows = backlog.rows
            let changes = try await records.pending()
            let now = Timestamp.now().nanoseconds
            let lag = backlog.lagSeconds(confirmedNs: holds)
            status.update {
                $0.confirmedNs = holds
                $0.pendingRows = rows
                $0.lagSeconds = lag
                $0.pendingChanges = changes
            }
            let snapshot = status.snapshot
            let state = ForwardingState(target: target, confirmedNs: confirmedNs, pendingRows: rows, lastSuccessNs: snapshot.lastSuccessNs,
                                        gapsCheckedNs: recordedGapsChecked, updatedNs: now, copyRowsLeft: records.copyRowsLeft)
            try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.record(state) }
            lastReport = .now
        }

        /// Sends one batch of events; false when there was none.
        func sendEvents() async throws -> Bool {
            let checked = gapsChecked
            if let gaps = try await OwnThread.run("fleet-ledger", { () throws(SQLiteError) in try ledger.gapsReconciled(afterNs: checked) }) {
                let from = gaps.fromNs.minus(saturating: overlap)
                if from < cursor.timeNs {
                    logger.debug("a gap was reconciled: sending its events again", metadata: ["fleet.from": "\(RFC3339.format(Timestamp(nanoseconds: from)))"])
                    cursor = .start(atNs: from)
                    sent = SentTimes(floorNs: from)
                }
                gapsChecked = gaps.reconciledNs
            }
            let windowStart = max(sent.floorNs, cursor.timeNs.minus(saturating: overlap))
            if cursor.timeNs > windowStart {
                let probe = cursor
                let stored = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.eventCount(fromNs: windowStart, through: probe) }
                if stored > sent.count(fromNs: windowStart) {
                    logger.debug("events were stored behind the forwarder's position: sending the overlap again", metadata: [
                        "fleet.from": "\(RFC3339.format(Timestamp(nanoseconds: windowStart)))"])
                    cursor = .start(atNs: windowStart)
                    sent = SentTimes(floorNs: windowStart)
                }
            }
            let now = Timestamp.now().nanoseconds
            let horizon = now.plus(saturating: Self.futureSlackNs)
            if cursor.timeNs > horizon {
                // The clock went back below what was already sent: go on from the clock again (PostgreSQL
                // drops what it holds), or everything stored from now on would lie behind the position.
                logger.warning("the host's clock is behind events already forwarded; forwarding goes on from the clock", metadata: [
                    "fleet.position": "\(RFC3339.format(Timestamp(nanoseconds: cursor.timeNs)))", "fleet.clock": "\(RFC3339.format(Timestamp(nanoseconds: now)))"])
                cursor = .start(atNs: now.minus(saturating: overlap))
                sent = SentTimes(floorNs: cursor.timeNs)
                confirmedNs = confirmedNs.map { min($0, now) }
            }
            let after = cursor
            let read = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.events(after: after, limit: limit) }
            // Sorted by time: what lies past the horizon waits until the clock reaches it.
            let batch = read.prefix { $0.timeNs <= horizon }
            guard let first = batch.first, let last = batch.last else {
                recordedGapsChecked = gapsChecked
                // Caught up: every event stored by now is in PostgreSQL, but one stored a moment late behind it.
                eventsUntilNs = max(eventsUntilNs ?? .min, now.minus(saturating: overlap))
                return false
            }
            let batchDays = Set(batch.map { Self.day($0.timeNs) })
            if !batchDays.isSubset(of: days) {
                // The next day too, so a host crossing midnight does not wait on the catalog.
                try await connection.createPartitions(fromNs: first.timeNs, toNs: last.timeNs.plus(saturating: Self.dayNs))
                days.formUnion(batchDays.flatMap { [$0, $0 + 1] })
            }
            let inserted = try await connection.insert(Array(batch), hostID: identity.hostID)
            cursor = last.cursor
            sent.append(batch.map(\.timeNs), keepingFrom: cursor.timeNs.minus(saturating: overlap))
            confirmedNs = max(confirmedNs ?? .min, last.timeNs)
            eventsUntilNs = max(eventsUntilNs ?? .min, last.timeNs.minus(saturating: overlap))
            status.update {
                $0.rowsSent += batch.count
                $0.rowsInserted += inserted
                $0.lastSuccessNs = Timestamp.now().nanoseconds
            }
            return true
        }

        /// At a clean stop, what PostgreSQL confirmed since the last report (up to 2 s of batches) goes into
        /// the ledger, or `audit status` counts those events as not confirmed until the next start. It never
        /// claims more than PostgreSQL holds: `confirmedNs` moves only after an insert returned. The ledger
        /// write runs on its own thread, which the cancellation does not stop.
        func recordAtStop() async {
            let (holds, lastSuccessNs, copyRowsLeft) = (confirmedNs, status.snapshot.lastSuccessNs, records.copyRowsLeft)
            let (target, gapsChecked) = (target, recordedGapsChecked)
            try? await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in
                try ledger.record(ForwardingState(target: target, confirmedNs: holds, pendingRows: try ledger.backlog(afterNs: holds).rows,
                                                  lastSuccessNs: lastSuccessNs, gapsCheckedNs: gapsChecked,
                                                  updatedNs: Timestamp.now().nanoseconds, copyRowsLeft: copyRowsLeft))
            }
        }

        func loop() async throws {
            var working = false
            while true {
                try Task.checkCancellation()
                let sentEvents = try await sendEvents()
                let sentRecords = try await records.step(connection: connection)
                if !working {
                    // Only a connection that did its work ends the backoff: one failing the same way each time
                    // (a refused batch) must not reconnect and migrate twice a second.
                    backoff.reset()
                    working = true
                }
                if sentRecords { status.update { $0.recordsSent = records.rowsSent } }
                if !sentEvents && !sentRecords {
                    status.update { $0.lastSuccessNs = Timestamp.now().nanoseconds }
                    if ContinuousClock.now - lastReport > .seconds(2) { try await report() }
                    try await Task.sleep(for: configuration.pollInterval)
                    continue
                }
                if ContinuousClock.now - lastReport > .seconds(2) { try await report() }
            }
        }

        do {
            try await loop()
        } catch where Task.isCancelled {
            await recordAtStop()
            throw error
        }
    }

    static let dayNs: Int64 = 86_400_000_000_000

    /// The UTC day of `ns`, rounding down (also before 1970).
    static func day(_ ns: Int64) -> Int64 {
        ns >= 0 ? ns / dayNs : -((-(ns + 1)) / dayNs) - 1
    }

    /// How far past the host's clock an event may be dated and still be sent now.
    static let futureSlackNs: Int64 = 5_000_000_000
}

/// The times of the rows sent since `floorNs` in this connection, oldest first, kept for the overlap
/// only: how many there are is compared with how many the store holds there.
struct SentTimes {
    private(set) var floorNs: Int64
    private var times: [Int64] = []
    private var start = 0

    init(floorNs: Int64) { self.floorNs = floorNs }

    mutating func append(_ new: [Int64], keepingFrom keepNs: Int64) {
        times += new
        while start < times.count && times[start] < keepNs { start += 1 }
        if start > 65_536 && start * 2 > times.count {
            times.removeFirst(start)
            start = 0
        }
    }

    /// Rows sent at or after `ns` (which must not lie before what was kept).
    func count(fromNs ns: Int64) -> Int {
        var low = start, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] < ns { low = mid + 1 } else { high = mid }
        }
        return times.count - low
    }
}
