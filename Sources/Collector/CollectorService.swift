import AuditStore
import AuditSupport
import DockerAPI
import Logging
import ServiceLifecycle

/// `audit collect`: streams `/events` into the store until shutdown, reconnecting with backoff,
/// recording coverage and gaps, and reconciling after every gap.
///
/// Each connection has three phases: catch-up (`since` = last stored event, `until` = now: the
/// daemon's replay, snapshots taken inline), reconciliation (list + inspect, compared with the
/// snapshots: what the replay could not explain), then the live stream from the catch-up point
/// (inclusive; the store drops the overlap).
public struct CollectorService: Service {
    let client: DockerClient
    /// Opened here and closed by `run()`: the service is the writer's one owner.
    let writer: EventWriter
    let storePath: String
    let logger: Logger
    public let status: CollectorStatus

    /// Opens (creating and migrating when needed) the store at `storePath` for writing.
    public init(client: DockerClient, storePath: String, logger: Logger, status: CollectorStatus = CollectorStatus()) throws(SQLiteError) {
        self.client = client
        self.writer = try EventWriter(path: storePath, logger: logger)
        self.storePath = storePath
        self.logger = logger
        self.status = status
    }

    /// What the writer has stored so far, for `/healthz` and `/metrics`.
    public var statistics: WriterStatistics { writer.statistics }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown {
                await self.connectLoop()
            }
        } onGracefulShutdown: {
            // Coverage ends when shutdown begins, not when the last write is flushed: an event in
            // between may go unread, and the next start must replay from here.
            writer.closeCoverage(endedNs: Timestamp.now().nanoseconds, reason: "collector stopped")
        }
        await writer.close(reason: "collector stopped")
        logger.info("collector stopped; store flushed", metadata: [
            "store.path": "\(storePath)", "store.events_stored": "\(writer.statistics.eventsStored)",
        ])
    }

    private func connectLoop() async {
        var backoff = Backoff()
        var lastState = ""
        func logOnce(_ state: String, _ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata = [:]) {
            guard state != lastState else { return }
            lastState = state
            logger.log(level: level, message, metadata: metadata)
        }
        let host = client.host.description
        while !Task.isCancelled {
            var client = self.client
            do {
                try await client.negotiate()
                let started = ContinuousClock.now
                status.connecting()
                defer { status.disconnected() }
                try await session(client)
                if Task.isCancelled { return }
                writer.closeCoverage(endedNs: Timestamp.now().nanoseconds, reason: "docker engine closed the event stream")
                logOnce("ended", .warning, "docker engine closed the event stream; reconnecting", ["docker.host": "\(host)"])
                if ContinuousClock.now - started > .seconds(10) { backoff.reset() }
            } catch DockerError.cancelled {
                return
            } catch let error as DockerError {
                if Task.isCancelled { return }
                writer.closeCoverage(endedNs: Timestamp.now().nanoseconds, reason: "\(error)")
                logOnce("unreachable", .warning, "docker engine unavailable; retrying with backoff up to 30 s", [
                    "docker.host": "\(host)", "docker.error": "\(error)",
                ])
            } catch {
                if Task.isCancelled { return }
                writer.closeCoverage(endedNs: Timestamp.now().nanoseconds, reason: "\(error)")
                logOnce("error", .error, "collector error; retrying with backoff", ["docker.error": "\(error)"])
            }
            try? await Task.sleep(for: backoff.next())
        }
    }

    private func session(_ client: DockerClient) async throws {
        let host = client.host.description
        let connectNs = Timestamp.now().nanoseconds
        // SQLite blocks: every store read of a session runs on a thread of its own, on a connection of its own.
        let (previous, lastStreamEventNs) = try await OwnThread.run("store-resume") { [storePath] () throws(SQLiteError) in
            let reader = try StoreReader(path: storePath)
            return (try reader.lastCoverage(dockerHost: host), try reader.lastStreamEventNs())
        }
        let lastEventNs = Self.resumePoint(lastStreamEventNs: lastStreamEventNs, previousCoverageEndNs: previous?.endNs)
        let inspector = Inspector(client: client, writer: writer, logger: logger)
        writer.openCoverage(dockerHost: host, startedNs: connectNs)
        logger.info("connected to docker engine", metadata: [
            "docker.host": "\(host)", "docker.api_version": "\(client.apiVersion)",
            "collector.since": "\(lastEventNs.map { RFC3339.format(Timestamp(nanoseconds: $0)) } ?? "now (first run)")",
        ])

        var replayed = 0
        var recentExecs = RecentSet<String>(capacity: 8192)
        if let lastEventNs {
            for try await element in client.events(since: lastEventNs, until: connectNs) {
                guard case .items(let items) = element else { continue }
                writer.enqueue(items, source: .stream)
                replayed += items.count
                for inspection in Inspection.needed(by: items) where recentExecs.admit(inspection) {
                    await inspector.perform(inspection)
                }
            }
        }
        await writer.flush()

        let known = try await OwnThread.run("store-snapshots") { [storePath] () throws(SQLiteError) in try StoreReader(path: storePath).latestSnapshots() }
        let firstRun = previous == nil && known.isEmpty
        let reconciler = Reconciler(client: client, writer: writer)
        let outcome: Reconciler.Outcome
        do {
            outcome = try await reconciler.reconcile(known: known, gapEndNs: connectNs, recordChanges: !firstRun)
        } catch {
            // Cut short: what was reconciled is stored with its snapshots; the gap is kept, marked
            // unreconciled (no change count), and the next connection's reconciliation covers the rest.
            if let previous {
                writer.record(gap: GapRecord(dockerHost: host, fromNs: previous.endNs, toNs: connectNs, cause: previous.reason ?? "collector stopped unexpectedly",
                                             replayed: replayed, reconciledNs: nil, changesFound: nil))
            }
            throw error
        }
        if let previous {
            status.recordedGap()
            let cause = previous.reason ?? "collector stopped unexpectedly"
            writer.record(gap: GapRecord(dockerHost: host, fromNs: previous.endNs, toNs: connectNs, cause: cause,
                                         replayed: replayed, reconciledNs: Timestamp.now().nanoseconds, changesFound: outcome.changes.count))
            logger.warning("coverage gap recorded and reconciled", metadata: [
                "gap.from": "\(RFC3339.format(Timestamp(nanoseconds: previous.endNs)))",
                "gap.seconds": "\((connectNs - previous.endNs) / 1_000_000_000)",
                "gap.cause": "\(cause)", "gap.replayed_events": "\(replayed)",
                "reconciliation.containers": "\(outcome.containersSeen)", "reconciliation.changes": "\(outcome.changes.count)",
            ])
        } else {
            logger.info("baseline taken", metadata: ["reconciliation.containers": "\(outcome.containersSeen)"])
        }
        await writer.flush()
        try await live(client, since: connectNs, inspector: inspector, recentExecs: recentExecs)
    }

    /// Where `since` resumes: everything before the last stored event is stored (batches commit in
    /// stream order), and everything before the last coverage heartbeat was received; events read in the
    /// last moments before a `kill -9` may not have been committed, hence the margin. Replaying too
    /// much costs only duplicates, which the store drops.
    static func resumePoint(lastStreamEventNs: Int64?, previousCoverageEndNs: Int64?) -> Int64? {
        let margin: Int64 = 2_000_000_000
        switch (lastStreamEventNs, previousCoverageEndNs) {
        case (nil, nil): return nil
        case (let event?, nil): return event
        case (nil, let end?): return end - margin
        case (let event?, let end?): return max(event, end - margin)
        }
    }

    /// Streams until the daemon closes the connection. Inspections run beside the stream, never in its
    /// way: the transfer thread keeps reading whatever they cost.
    private func live(_ client: DockerClient, since: Int64, inspector: Inspector, recentExecs: RecentSet<String>) async throws {
        logger.info("streaming live events", metadata: ["docker.host": "\(client.host)"])
        status.connectedLive()
        let (inspections, pending) = AsyncStream<Inspection>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await inspection in inspections { await inspector.perform(inspection) }
            }
            defer { pending.finish() }
            var recentExecs = recentExecs
            for try await element in client.events(since: since) {
                guard case .items(let items) = element else { continue }
                writer.enqueue(items, source: .stream)
                for inspection in Inspection.needed(by: items) where recentExecs.admit(inspection) {
                    pending.yield(inspection)
                }
            }
            pending.finish()
            try await group.waitForAll()
        }
    }
}

/// Remembers the last `capacity` keys, so exec_create and exec_start of one exec inspect it once
/// even when they arrive in different chunks.
struct RecentSet<Key: Hashable & Sendable>: Sendable {
    private var members = Set<Key>()
    private var ring: [Key] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    mutating func insert(_ key: Key) -> Bool {
        guard members.insert(key).inserted else { return false }
        if ring.count < capacity {
            ring.append(key)
        } else {
            members.remove(ring[next])
            ring[next] = key
            next = (next + 1) % capacity
        }
        return true
    }
}

extension RecentSet where Key == String {
    /// True when `inspection` should run: everything but an exec already inspected.
    mutating func admit(_ inspection: Inspection) -> Bool {
        guard case .exec(let execID, _) = inspection else { return true }
        return insert(execID)
    }
}
