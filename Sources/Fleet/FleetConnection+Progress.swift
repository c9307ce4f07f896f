import PostgresNIO

extension FleetConnection {
    /// Records how far the host's events have reached PostgreSQL (every event stored with an earlier
    /// time is here), never moving it back, and that the host's forwarder was alive now (PostgreSQL's
    /// clock, unaffected by the host's).
    func markEventsUntil(_ ns: Int64, hostID: String) async throws {
        try await run {
            try await self.connection.query("""
                UPDATE hosts SET events_until_ns = greatest(coalesce(events_until_ns, \(ns)), \(ns)), last_seen = now()
                WHERE host_id = \(hostID)
                """, logger: self.logger)
        }
    }
}
