import DockerAPI

/// The running totals the writer keeps beside the events (migration 004): exec_start per hour,
/// container and command (`exec_commands`, how the report skips health probes) and stored events per
/// type and source (`event_counts`, how `audit status` avoids counting millions of rows). Summed in
/// memory during a batch and written with it: one upsert per group, not per event.
final class BatchSummaries {
    private struct ExecCommandKey: Hashable {
        let hour: Int64
        let actor: Int64
        let command: String
    }

    private struct ExecCommandTally {
        var count: Int64 = 0
        var firstNs: Int64 = .max
        var lastNs: Int64 = .min
    }

    private struct EventCountKey: Hashable {
        let type: String
        let source: Int64
    }

    private static let hourNs: Int64 = 3_600_000_000_000

    private let upsertExecCommand: Statement
    private let upsertEventCount: Statement
    private var execCommands: [ExecCommandKey: ExecCommandTally] = [:]
    private var eventCounts: [EventCountKey: Int64] = [:]

    init(db: Database) throws(SQLiteError) {
        upsertExecCommand = try db.prepare("""
            INSERT INTO exec_commands (hour, actor, command, count, first_ns, last_ns) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (hour, actor, command) DO UPDATE SET count = count + excluded.count,
                first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns)
            """)
        upsertEventCount = try db.prepare("""
            INSERT INTO event_counts (type, source, count) VALUES (?, ?, ?)
            ON CONFLICT (type, source) DO UPDATE SET count = count + excluded.count
            """)
    }

    /// Counts an event that was stored (never a duplicate).
    func add(_ event: DockerEvent, actorRow: Int64, source: EventSource) {
        eventCounts[EventCountKey(type: event.type, source: source.rawValue), default: 0] += 1
        guard event.action == "exec_start" else { return }
        let key = ExecCommandKey(hour: event.timeNano / Self.hourNs, actor: actorRow, command: event.detail ?? "")
        var tally = execCommands[key, default: ExecCommandTally()]
        tally.count += 1
        tally.firstNs = min(tally.firstNs, event.timeNano)
        tally.lastNs = max(tally.lastNs, event.timeNano)
        execCommands[key] = tally
    }

    /// Writes the batch's totals; called inside the batch's transaction, before it commits.
    func flush() throws(SQLiteError) {
        for (key, tally) in execCommands {
            upsertExecCommand.bind(1, key.hour)
            upsertExecCommand.bind(2, key.actor)
            upsertExecCommand.bind(3, key.command)
            upsertExecCommand.bind(4, tally.count)
            upsertExecCommand.bind(5, tally.firstNs)
            upsertExecCommand.bind(6, tally.lastNs)
            try upsertExecCommand.run()
        }
        for (key, count) in eventCounts {
            upsertEventCount.bind(1, key.type)
            upsertEventCount.bind(2, key.source)
            upsertEventCount.bind(3, count)
            try upsertEventCount.run()
        }
        discard()
    }

    /// After a rollback: the totals belonged to rows that are not stored.
    func discard() {
        execCommands.removeAll(keepingCapacity: true)
        eventCounts.removeAll(keepingCapacity: true)
    }
}
