import PostgresNIO

/// What `audit status --db postgresql://…` shows: the fleet database and, per host, how far what it
/// forwarded reaches.
public struct FleetStatus: Sendable {
    public struct Host: Sendable {
        public var host: FleetHost
        public var newestEventNs: Int64?
        /// Its collector last (re)connected to forward (PostgreSQL's clock).
        public var lastConnectedNs: Int64?
    }

    public var schemaVersion: Int
    public var databaseBytes: Int64
    public var hosts: [Host]
    public var eventsBeforeNs: Int64?
}

extension FleetReader {
    public func status() async throws -> FleetStatus {
        let connection = self.connection
        let hosts = try await self.hosts()
        return try await connection.run {
            var version = 0
            var bytes: Int64 = 0
            for try await (v, size) in try await connection.connection.query(
                "SELECT (SELECT max(version) FROM schema_migrations)::bigint, pg_database_size(current_database())", logger: connection.logger
            ).decode((Int64, Int64).self) {
                version = Int(v)
                bytes = size
            }
            var rows: [FleetStatus.Host] = []
            for host in hosts {
                var newest: Int64?
                var connected: Int64?
                for try await (n, c) in try await connection.connection.query("""
                    SELECT (SELECT max(time_ns) FROM events WHERE host_id = \(host.hostID)),
                           (SELECT (extract(epoch FROM last_seen) * 1e9)::bigint FROM hosts WHERE host_id = \(host.hostID))
                    """, logger: connection.logger).decode((Int64?, Int64?).self) {
                    newest = n
                    connected = c
                }
                rows.append(FleetStatus.Host(host: host, newestEventNs: newest, lastConnectedNs: connected))
            }
            return FleetStatus(schemaVersion: version, databaseBytes: bytes, hosts: rows, eventsBeforeNs: hosts.first?.eventsBeforeNs)
        }
    }
}
