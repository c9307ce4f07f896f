import PostgresNIO

/// What the fleet's PostgreSQL holds and what it takes on disk, for `audit bench fleet`.
public struct FleetStorage: Sendable {
    /// Rows of `events`, every host's.
    public var events: Int64
    /// The newest event's time, nil without events.
    public var newestNs: Int64?
    /// The event partitions with their indexes and TOAST.
    public var eventBytes: Int64
    /// Every table of the fleet schema (events, snapshots, exec sessions and commands, coverage…) with
    /// their indexes and TOAST.
    public var tableBytes: Int64
    /// The whole database, catalog included (`pg_database_size`).
    public var databaseBytes: Int64
}

extension FleetReader {
    /// Events of every host in [fromNs, toNs].
    public func eventCount(fromNs: Int64, toNs: Int64) async throws -> Int64 {
        let connection = self.connection
        return try await connection.run {
            var count: Int64 = 0
            for try await value in try await connection.connection.query(
                "SELECT count(*) FROM events WHERE time_ns BETWEEN \(fromNs) AND \(toNs)", logger: connection.logger).decode(Int64.self) {
                count = value
            }
            return count
        }
    }

    /// Rows of every host's events, and of the tables forwarded beside them.
    public func heldRows() async throws -> (events: Int64, records: Int64) {
        let connection = self.connection
        return try await connection.run {
            var held: (Int64, Int64) = (0, 0)
            for try await row in try await connection.connection.query("""
                SELECT (SELECT count(*) FROM events),
                       (SELECT count(*) FROM snapshots) + (SELECT count(*) FROM exec_sessions) + (SELECT count(*) FROM exec_commands)
                       + (SELECT count(*) FROM coverage) + (SELECT count(*) FROM gaps) + (SELECT count(*) FROM deployments WHERE origin <> '')
                       + (SELECT count(*) FROM drift_findings) + (SELECT count(*) FROM acks WHERE host_id <> '')
                """, logger: connection.logger).decode((Int64, Int64).self) {
                held = row
            }
            return held
        }
    }

    /// The rows and bytes the fleet's tables hold.
    public func storage() async throws -> FleetStorage {
        let connection = self.connection
        let events = try await eventCount(fromNs: .min, toNs: .max)
        return try await connection.run {
            var storage = FleetStorage(events: events, eventBytes: 0, tableBytes: 0, databaseBytes: 0)
            for try await newest in try await connection.connection.query("SELECT max(time_ns) FROM events", logger: connection.logger).decode(Int64?.self) {
                storage.newestNs = newest
            }
            // Ordinary tables only: a partitioned parent has no storage of its own, its day partitions do.
            for try await (eventBytes, tableBytes, databaseBytes) in try await connection.connection.query("""
                SELECT coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname ~ '^events_[0-9]{8}$'), 0)::bigint,
                       coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint, pg_database_size(current_database())
                FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
                """, logger: connection.logger).decode((Int64, Int64, Int64).self) {
                storage.eventBytes = eventBytes
                storage.tableBytes = tableBytes
                storage.databaseBytes = databaseBytes
            }
            return storage
        }
    }
}
