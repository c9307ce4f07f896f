import AuditStore
import AuditSupport
import Logging

/// Forwards the tables beside the events (snapshots, exec inspections and commands, coverage, gaps,
/// deployments, drift findings, acknowledgements), one batch a step, between the event batches of the
/// same connection.
///
/// Their rows change in place, so they are not followed by time but through the store's change log
/// (migration 010). PostgreSQL's `hosts.changes_seq` says up to which log entry it holds the host's rows,
/// moved in the transaction that upserts them, and forwarding resumes there. When PostgreSQL holds none
/// (a new target), or less than the log still names (a restored backup, another target that had the
/// log cut), or more than this store ever logged (a store restored from a backup), every row of every
/// table is sent once, and the log is followed from where it stood when that copy began.
struct RecordPump {
    enum Phase: Equatable {
        /// A full copy: table `table` of `ForwardedTable.allCases`, after key `after`; once every table
        /// is sent, PostgreSQL holds the rows up to `throughSeq`.
        case copy(table: Int, after: String?, throughSeq: Int64)
        /// Following the log after `afterSeq`, what PostgreSQL confirmed.
        case follow(afterSeq: Int64)
    }

    let ledger: ForwardingLedger
    let hostID: String
    let target: String
    let limit: Int
    let logger: Logger
    private(set) var phase: Phase
    /// Rows the full copy has still to send, for the backlog figures; 0 while following the log.
    private(set) var copyRowsLeft: Int64 = 0
    /// Rows sent in this connection.
    private(set) var rowsSent = 0

    /// Learns where PostgreSQL stands and decides whether to follow the log or copy everything first.
    static func start(connection: FleetConnection, ledger: ForwardingLedger, hostID: String, target: String, limit: Int,
                      logger: Logger) async throws -> RecordPump {
        let confirmed = try await connection.changesSeq(hostID: hostID)
        // The log notes changes from here on, before the copy reads anything.
        let position = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in
            try ledger.openChangeLog(target: target, nowNs: Timestamp.now().nanoseconds)
        }
        var pump = RecordPump(ledger: ledger, hostID: hostID, target: target, limit: limit, logger: logger, phase: .follow(afterSeq: 0))
        let why: String
        switch confirmed {
        case let seq? where seq >= position.prunedSeq && seq <= position.newestSeq:
            pump.phase = .follow(afterSeq: seq)
            return pump
        case let seq? where seq < position.prunedSeq:
            why = "PostgreSQL holds this host's records up to change \(seq), but the local log was cut after change \(position.prunedSeq) (a restored backup, or another target)"
        case let seq?:
            why = "PostgreSQL holds this host's records up to change \(seq), further than this store ever logged (\(position.newestSeq): a store restored from a backup)"
        case nil:
            why = "PostgreSQL holds none of this host's records yet"
        }
        pump.copyRowsLeft = try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.forwardedRowCount() }
        logger.info("sending every record once (snapshots, exec inspections, coverage, gaps, deployments, drift findings, acknowledgements)", metadata: [
            "fleet.url": "\(target)", "fleet.reason": "\(why)", "fleet.rows": "\(pump.copyRowsLeft)",
        ])
        pump.phase = .copy(table: 0, after: nil, throughSeq: position.newestSeq)
        return pump
    }

    /// Sends one batch and returns true, or false when there was nothing to send.
    mutating func step(connection: FleetConnection) async throws -> Bool {
        let (ledger, limit) = (self.ledger, self.limit)
        switch phase {
        case .copy(let index, let after, let through):
            guard index < ForwardedTable.allCases.count else {
                try await connection.upsert([], hostID: hostID, changesSeq: through)
                try await prune(through: through)
                logger.info("every record sent once; following the change log", metadata: ["fleet.url": "\(target)", "fleet.changes": "\(through)"])
                phase = .follow(afterSeq: through)
                copyRowsLeft = 0
                return true
            }
            let table = ForwardedTable.allCases[index]
            guard let page = try await OwnThread.run("fleet-ledger", { () throws(SQLiteError) in try ledger.copyPage(table, after: after, limit: limit) }) else {
                phase = .copy(table: index + 1, after: nil, throughSeq: through)
                return true
            }
            try await connection.upsert([page.rows], hostID: hostID, changesSeq: nil)
            rowsSent += page.rows.count
            copyRowsLeft = max(0, copyRowsLeft - Int64(page.rows.count))
            phase = .copy(table: index, after: page.lastKey, throughSeq: through)
            return true
        case .follow(let after):
            guard let batch = try await OwnThread.run("fleet-ledger", { () throws(SQLiteError) in try ledger.changes(afterSeq: after, limit: limit) }) else {
                return false
            }
            try await connection.upsert(batch.rows, hostID: hostID, changesSeq: batch.throughSeq)
            rowsSent += batch.rows.reduce(0) { $0 + $1.count }
            try await prune(through: batch.throughSeq)
            phase = .follow(afterSeq: batch.throughSeq)
            return true
        }
    }

    /// Changed rows PostgreSQL has not confirmed: the log's entries after what it confirmed, and the
    /// rest of a full copy.
    func pending() async throws -> Int64 {
        let ledger = self.ledger
        let after: Int64
        switch phase {
        case .copy: after = 0
        case .follow(let seq): after = seq
        }
        return try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.pendingChanges(afterSeq: after) } + copyRowsLeft
    }

    /// What PostgreSQL confirmed leaves the log.
    private func prune(through seq: Int64) async throws {
        let (ledger, target) = (self.ledger, self.target)
        try await OwnThread.run("fleet-ledger") { () throws(SQLiteError) in try ledger.pruneChanges(throughSeq: seq, target: target) }
    }
}
