import AuditSchema
import AuditStore
import AuditSupport
import Logging
import PostgresNIO

/// One connection to the fleet's PostgreSQL, with the few statements the forwarder runs. Its methods
/// throw `FleetError`s that name the URL (masked) and what to do.
final class FleetConnection: Sendable {
    let url: FleetURL
    let connection: PostgresConnection
    let logger: Logger
    /// The longest a statement may take here: 5,000 rows insert in about 0.1 s on this machine. Past it
    /// the connection is closed, which is all a cut network leaves to do.
    static let statementTimeout: Duration = .seconds(30)
    /// PostgreSQL's own `statement_timeout` for the session, under the client's: a slow statement or a
    /// lock wait is cancelled by the server, which says so (SQLSTATE 57014), and releases what it held,
    /// instead of running on after the client gave up.
    static let serverStatementTimeout: Duration = .seconds(25)
    /// The longest the whole connect may take: TCP (5 s of it, PostgresNIO's connect timeout), TLS,
    /// the startup and authentication, and setting the session up. A server that accepts connections and
    /// never answers the startup (169 of 1,000 simulated hosts in `audit bench fleet` waited there for
    /// good) fails it like an unreachable one and is tried again with backoff.
    static let connectTimeout: Duration = .seconds(10)

    private init(url: FleetURL, connection: PostgresConnection, logger: Logger) {
        self.url = url
        self.connection = connection
        self.logger = logger
    }

    static func connect(_ url: FleetURL, logger: Logger) async throws -> FleetConnection {
        do {
            let configuration = try url.connectionConfiguration()
            let connect: @Sendable () async throws -> PostgresConnection = {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                do {
                    let milliseconds = serverStatementTimeout.components.seconds * 1_000
                    try await connection.query("SET statement_timeout = \(unescaped: String(milliseconds))", logger: logger)
                } catch {
                    try? await connection.close()
                    throw error
                }
                return connection
            }
            guard let connection = try await Deadline.run(within: connectTimeout, connect, abandoned: { try? await $0.close() }) else {
                throw FleetError(.unreachable, """
                    PostgreSQL at \(url) did not complete the connection within \(connectTimeout.components.seconds) s (it was accepted, but the \
                    startup or the password exchange got no answer: an overloaded server or a cut network); check that the server runs and \
                    answers there
                    """)
            }
            return FleetConnection(url: url, connection: connection, logger: logger)
        } catch let error as FleetError {
            throw error
        } catch {
            throw FleetProblem.describe(error, url: url)
        }
    }

    /// Connects with PostgresNIO's own logging above warning (its per-statement lines are noise here) and
    /// brings the fleet schema up to date, closing the connection again if that fails.
    static func connectMigrated(_ url: FleetURL, logger: Logger) async throws -> FleetConnection {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let connection = try await connect(url, logger: quiet)
        do {
            try await connection.migrate()
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    func close() async {
        try? await connection.close()
    }

    /// Applies the fleet migrations this database has not seen, in one transaction under an advisory
    /// lock (hosts starting together apply them once), refusing a schema newer than this binary.
    func migrate(_ migrations: [Migration] = Migrations.postgres) async throws {
        let newest = migrations.map(\.version).max() ?? 0
        // Up to date already (every connection but the first after an upgrade): no lock. A thousand hosts
        // reconnecting together queued on the lock, and the statement timeout cut the last of them.
        if let current = try? await appliedVersion(), current == newest { return }
        try await run {
            try await self.connection.query("BEGIN", logger: self.logger)
            do {
                try await self.connection.query("SELECT pg_advisory_xact_lock(7420116051)", logger: self.logger)
                try await self.connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: self.logger)
                var current = 0
                for try await version in try await self.connection.query("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations", logger: self.logger).decode(Int64.self) {
                    current = Int(version)
                }
                guard current <= newest else {
                    throw FleetError(.schemaNewer, "PostgreSQL at \(self.url) has fleet schema version \(current), newer than this audit binary knows (\(newest)); upgrade audit here")
                }
                for migration in migrations where migration.version > current {
                    for statement in SQLScript.statements(migration.sql) {
                        try await self.connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                    }
                    try await self.connection.query("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: self.logger)
                    self.logger.info("fleet schema migrated", metadata: ["fleet.url": "\(self.url)", "fleet.migration": "\(migration.name)"])
                }
                try await self.connection.query("COMMIT", logger: self.logger)
            } catch {
                _ = try? await self.connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    /// The newest fleet migration this database recorded; throws when it has none (a fresh database).
    private func appliedVersion() async throws -> Int {
        try await run {
            var current = 0
            for try await version in try await self.connection.query("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations", logger: self.logger)
                .decode(Int64.self) { current = Int(version) }
            return current
        }
    }

    /// Records the host (its name may have changed) and that it was seen now.
    func announce(_ host: HostIdentity) async throws {
        try await run {
            try await self.connection.query("""
                INSERT INTO hosts (host_id, name) VALUES (\(host.hostID), \(host.name.postgresText))
                ON CONFLICT (host_id) DO UPDATE SET name = EXCLUDED.name, last_seen = now()
                """, logger: self.logger)
        }
    }

    /// The newest event time PostgreSQL holds for the host: where forwarding resumes, never a local guess.
    func confirmedNs(hostID: String) async throws -> Int64? {
        try await run {
            var newest: Int64?
            for try await value in try await self.connection.query("SELECT max(time_ns) FROM events WHERE host_id = \(hostID)", logger: self.logger).decode(Int64?.self) {
                newest = value
            }
            return newest
        }
    }

    /// Creates the day partitions covering [fromNs, toNs] that do not exist yet.
    func createPartitions(fromNs: Int64, toNs: Int64) async throws {
        try await run {
            try await self.connection.query("SELECT fleet_create_event_partitions(\(fromNs), \(toNs))", logger: self.logger)
        }
    }

    /// Inserts `events` of `hostID` in one statement; rows PostgreSQL already holds are skipped by the
    /// primary key. Returns how many were new.
    func insert(_ events: [ForwardedEvent], hostID: String) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        var binds = PostgresBindings(capacity: 12)
        try binds.append(hostID)
        try binds.append(events.map(\.timeNs))
        try binds.append(NullableArray(elements: events.map(\.type)))
        try binds.append(NullableArray(elements: events.map(\.actorID)))
        try binds.append(NullableArray(elements: events.map(\.action)))
        try binds.append(NullableArray(elements: events.map(\.detail)))
        try binds.append(NullableArray(elements: events.map(\.attributes)))
        try binds.append(NullableArray(elements: events.map(\.extra)))
        try binds.append(NullableArray(elements: events.map(\.scope)))
        try binds.append(events.map { Int16(truncatingIfNeeded: $0.source.rawValue) })
        try binds.append(NullableArray(elements: events.map(\.project)))
        try binds.append(NullableArray(elements: events.map(\.service)))
        let query = PostgresQuery(unsafeSQL: """
            WITH inserted AS (
                INSERT INTO events (host_id, time_ns, type, actor_id, action, detail, attributes, extra, scope, source, project, service)
                SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                         $9::text[], $10::smallint[], $11::text[], $12::text[])
                ON CONFLICT DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM inserted
            """, binds: binds)
        return try await run {
            var inserted = 0
            for try await count in try await self.connection.query(query, logger: self.logger).decode(Int64.self) { inserted = Int(count) }
            return inserted
        }
    }

    /// Runs statements of this connection with a deadline. PostgresNIO hands a query to a closed
    /// connection's channel and never answers it (the task is dropped, its promise never completed), and a
    /// server behind a cut network never answers either: the connection is checked first, and closed when
    /// the deadline passes, which fails what it was running. The server's own timeout comes first for a
    /// statement it is still running, so this one is said as no answer, not as an unreachable server.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard !connection.isClosed else { throw FleetProblem.unreachable(url, "the server closed the connection") }
        let deadline = Self.statementTimeout
        do {
            guard let value = try await Deadline.run(within: deadline, body) else {
                try? await connection.close()
                // .unreachable as a refused connection is: the forwarder says it once per kind, and
                // events wait in the store until it answers.
                throw FleetError(.unreachable, """
                    PostgreSQL at \(url) did not answer within \(deadline.components.seconds) s (a slow statement, a lock wait, or a cut \
                    network)
                    """)
            }
            return value
        } catch let error as FleetError {
            throw error
        } catch {
            throw FleetProblem.describe(error, url: url)
        }
    }
}
