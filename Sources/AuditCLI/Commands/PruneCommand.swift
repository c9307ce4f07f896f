import ArgumentParser
import AuditStore
import AuditSupport
import Findings
import Fleet
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Apply the retention once: delete what is older than --retention / --probe-retention and give the space back.",
        discussion: """
            The collector does this every --prune-interval by itself; `audit prune` is for a one-off run, with or \
            without a collector running (it works in small transactions). The periods come from the flags, else the \
            configuration file (`retention:`, `probe-retention:`), else the defaults (\(RetentionPolicy.defaultRetention), \
            \(RetentionPolicy.defaultProbeRetention)). Health-probe events older than the probe retention are deleted and \
            their hourly counts kept; everything else is kept for the retention, and what is still in effect (the latest \
            snapshot and the create of every existing container, the deployments around it, open drift findings and \
            their acknowledgements) is kept whatever its age. A report over a pruned window says so.
            With --db postgresql://… the fleet's retention: the day partitions of events wholly older than \
            --retention are dropped (with the hourly exec summary of those days); run it daily, e.g. from cron.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Keep events, snapshots, deployments and findings this long (0 keeps everything).", valueName: "period"))
    var retention: String?

    @Option(help: ArgumentHelp("Keep health-probe events this long (0: as long as --retention).", valueName: "period"))
    var probeRetention: String?

    @Option(help: ArgumentHelp("The collector's configuration file, for its retention settings (default: $AUDIT_CONFIG, else \(ConfigFile.defaultPath)).", valueName: "path"))
    var config: String?

    @Flag(help: "Rewrite a store made before incremental vacuum existed so that later prunes give space back (one full VACUUM; stop the collector first).")
    var vacuum = false

    func validate() throws {
        try store.validateLogLevel()
        _ = try policy()
    }

    private func policy() throws -> RetentionPolicy {
        var flags: [String: ConfigFile.Value] = [:]
        if let retention { flags["retention"] = .text(retention) }
        if let probeRetention { flags["probe-retention"] = .text(probeRetention) }
        let settings: CollectSettings
        do {
            settings = try CollectSettings.load(configFlag: config, flags: flags, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        return try settings.retentionPolicy()
    }

    func run() async throws {
        let policy = try policy()
        if let url = try store.fleetURL() {
            try await pruneFleet(url, policy: policy)
            return
        }
        let path = try store.resolvedPath()
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no audit store at \(path); pass --db")
        }
        let sizeBefore = storeSize(path)
        let total = try await OwnThread.run("audit-prune") { [vacuum] () throws -> PruneProgress in
            let db = try Database(path: path)
            if vacuum { try Self.convertToIncrementalVacuum(db, path: path) }
            let reader = try StoreReader(path: path)
            var total = PruneProgress()
            var lastReport = Timestamp.now().nanoseconds
            while let plan = try RetentionPlanner.plan(reader, policy: policy, nowNs: Timestamp.now().nanoseconds) {
                let pruner = StorePruner(db: db, plan: plan)
                while try !pruner.run(budgetNs: 250_000_000) {
                    let now = Timestamp.now().nanoseconds
                    if now - lastReport >= 2_000_000_000 {
                        lastReport = now
                        let p = pruner.progress
                        Terminal.error("prune: \(p.phase): \(total.events + p.events) events, \(total.probeEvents + p.probeEvents) probe events, \(total.otherRows + p.otherRows) other rows so far")
                    }
                }
                total.events += pruner.progress.events
                total.probeEvents += pruner.progress.probeEvents
                total.otherRows += pruner.progress.otherRows
                total.pagesFreed += pruner.progress.pagesFreed
                if plan.complete { break }
            }
            // The file shrinks when the log is copied back: do it now rather than at the collector's next
            // checkpoint. A truncating checkpoint holds off writers until it is done, so beside a running
            // collector only a passive one (the collector's own, every second, finishes the job).
            let mode = try Self.collectorHeartbeatAge(db).map { $0 < 30_000_000_000 } == true ? "PASSIVE" : "TRUNCATE"
            try? db.execute("PRAGMA wal_checkpoint(\(mode))")
            return total
        }
        let reader = try StoreReader(path: path)
        let horizons = try reader.retentionHorizons()
        func time(_ ns: Int64?) -> String { ns.map { RFC3339.format(Timestamp(nanoseconds: $0)) } ?? "never" }
        var out = Terminal.Buffered()
        out.line("pruned      \(total.events) events, \(total.probeEvents) health-probe events, \(total.otherRows) other rows")
        out.line("store       \(path): \(ByteSize.approximate(sizeBefore)) → \(ByteSize.approximate(storeSize(path))) (\(total.pagesFreed) pages given back)")
        out.line("horizons    events before \(time(horizons.eventsBeforeNs)); health probes before \(time(horizons.probesBeforeNs))")
        if try !reader.givesSpaceBack() {
            out.line("note        this store was made without incremental vacuum: freed space stays in the file for new rows; "
                     + "`audit prune --vacuum` (collector stopped) gives it back once and for all")
        }
    }

    /// Turns incremental vacuum on for a store made without it: a full VACUUM, which needs the store to
    /// itself and free space for a copy of it. Refused while a collector is connected.
    /// How long ago a collector writing this store last beat; nil when none has an interval open.
    static func collectorHeartbeatAge(_ db: Database) throws -> Int64? {
        try StoreReader(database: db).openCoverageHeartbeatNs().map { Timestamp.now().nanoseconds - $0 }
    }

    static func convertToIncrementalVacuum(_ db: Database, path: String) throws {
        if let age = try collectorHeartbeatAge(db), age < 30_000_000_000 {
            throw ValidationError("a collector is writing to \(path) (heartbeat \(DurationFormat.short(nanoseconds: age)) ago); stop it first (systemctl stop audit-collector), then run `audit prune --vacuum` again")
        }
        Terminal.error("prune: rewriting \(path) with incremental vacuum on (a full VACUUM)…")
        try db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        try db.execute("VACUUM")
    }

    private func pruneFleet(_ url: FleetURL, policy: RetentionPolicy) async throws {
        if vacuum { throw ValidationError("--vacuum is for a SQLite store; dropping partitions gives PostgreSQL's space back at once") }
        guard let cutoff = policy.cutoffs(nowNs: Timestamp.now().nanoseconds).eventsBeforeNs else {
            Terminal.out("retention is 0 (keep everything): nothing dropped")
            return
        }
        let outcome = try await FleetReader.with(url, logger: store.makeLogger(label: "audit.prune")) { reader in
            try await FleetPruner(reader: reader).prune(beforeNs: cutoff)
        }
        if outcome.droppedPartitions.isEmpty {
            Terminal.out("no day of events lies wholly before \(RFC3339.format(Timestamp(nanoseconds: cutoff))): nothing dropped")
        } else {
            Terminal.out("dropped \(outcome.droppedPartitions.count) day partition(s) (\(outcome.droppedPartitions.joined(separator: ", "))), "
                + "\(ByteSize.describe(outcome.bytesFreed)) given back; events before \(outcome.eventsBeforeNs.map { RFC3339.format(Timestamp(nanoseconds: $0)) } ?? "?") are pruned")
        }
    }
}
