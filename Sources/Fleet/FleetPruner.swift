import AuditSupport
import Logging
import PostgresNIO

/// The fleet's retention (`audit prune --db postgresql://…`): whole day partitions of `events` that lie
/// entirely before the cut-off are dropped (no row-by-row delete, no bloat, space back at once), the
/// hourly exec summary and the health probes' exec inspections with them, and `fleet_retention` moves so
/// reports say "pruned" there, all in one transaction. The small tables (snapshots, coverage, gaps,
/// deployments, findings, acks) are kept: a report needs each container's history.
///
/// A host catching up on a backlog older than the cut-off re-creates its day's partition: the next prune
/// drops it again.
public struct FleetPruner: Sendable {
    public struct Outcome: Sendable {
        public var droppedPartitions: [String]
        public var bytesFreed: Int64
        public var eventsBeforeNs: Int64?
    }

    let reader: FleetReader

    public init(reader: FleetReader) {
        self.reader = reader
    }

    public func prune(beforeNs cutoff: Int64) async throws -> Outcome {
        let connection = reader.connection
        return try await connection.run {
            var partitions: [(name: String, fromNs: Int64, toNs: Int64, bytes: Int64)] = []
            // Each day partition's bounds as fleet_create_event_partitions made them, read from its name.
            let rows = try await connection.connection.query("""
                SELECT c.relname::text, pg_total_relation_size(c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'events'::regclass ORDER BY c.relname
                """, logger: connection.logger)
            for try await (name, bytes) in rows.decode((String, Int64).self) {
                // A day past what nanoseconds can hold (after 2262) is no partition the forwarder made.
                guard let day = Self.day(ofPartition: name), case let (from, false) = day.multipliedReportingOverflow(by: Self.dayNs),
                      case let (to, false) = from.addingReportingOverflow(Self.dayNs) else { continue }
                partitions.append((name, from, to, bytes))
            }
            let old = partitions.filter { $0.toNs <= cutoff }
            guard let horizon = old.map(\.toNs).max() else { return Outcome(droppedPartitions: [], bytesFreed: 0, eventsBeforeNs: nil) }
            // One transaction: the days go with the horizon that says so, or nothing goes. Dropping a
            // partition locks all of `events`; waiting behind a long report would queue every host's
            // insert behind the drop, so the wait is short and the prune says to try again.
            try await connection.connection.query("BEGIN", logger: connection.logger)
            do {
                try await connection.connection.query("SET LOCAL lock_timeout = '5s'", logger: connection.logger)
                for p in old {
                    try await connection.connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \"\(p.name)\""), logger: connection.logger)
                }
                try await connection.connection.query("DELETE FROM exec_commands WHERE hour < \(horizon / 3_600_000_000_000)", logger: connection.logger)
                // Health probes' inspections go with their days; a person's (tty or privileges) stays, as on a host.
                try await connection.connection.query("""
                    DELETE FROM exec_sessions WHERE inspected_ns < \(horizon) AND NOT coalesce(tty OR privileged, false)
                    """, logger: connection.logger)
                try await connection.connection.query("""
                    INSERT INTO fleet_retention (id, events_before_ns) VALUES (1, \(horizon))
                    ON CONFLICT (id) DO UPDATE SET events_before_ns = greatest(fleet_retention.events_before_ns, EXCLUDED.events_before_ns), pruned_at = now()
                    """, logger: connection.logger)
                try await connection.connection.query("COMMIT", logger: connection.logger)
            } catch {
                _ = try? await connection.connection.query("ROLLBACK", logger: connection.logger)
                if let psql = error as? PSQLError, psql.serverInfo?[.sqlState] == "55P03" {
                    throw FleetError(.server, "PostgreSQL at \(connection.url): the event days could not be locked within 5 s (a long report or query holds them); nothing was dropped, run audit prune again")
                }
                throw error
            }
            return Outcome(droppedPartitions: old.map(\.name), bytesFreed: old.reduce(0) { $0 + $1.bytes }, eventsBeforeNs: horizon)
        }
    }

    static let dayNs: Int64 = 86_400_000_000_000

    /// `events_20261206` → the UTC day's number since 1970 (days before 1970 are negative).
    static func day(ofPartition name: String) -> Int64? {
        guard name.hasPrefix("events_"), name.utf8.count == 15 else { return nil }
        let digits = Array(name.utf8.dropFirst(7))
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        func number(_ range: Range<Int>) -> Int64 { digits[range].reduce(0) { $0 * 10 + Int64($1 - 48) } }
        return Self.daysFromCivil(year: number(0..<4), month: number(4..<6), day: number(6..<8))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year y0: Int64, month m: Int64, day d: Int64) -> Int64? {
        guard (1...12).contains(m), (1...31).contains(d) else { return nil }
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
