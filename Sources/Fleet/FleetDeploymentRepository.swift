import AuditStore
import AuditSupport
import Deployments
import Logging
import ServiceLifecycle
import Synchronization
import Webhook

/// Deployment records in the fleet's PostgreSQL: the webhook's store for `audit serve` (a
/// `DeploymentSink`, and the `Service` keeping its connection) and `audit import --db postgresql://…`'s.
/// Records are stored under origin '' with `DeploymentRepository.store`'s rules.
///
/// `audit serve` holds one connection and runs one transaction on it at a time (deployment posts are
/// rare; a store takes a few milliseconds). While PostgreSQL cannot be reached, posts are answered 503
/// with `Retry-After` and nothing is stored; `run()` reconnects with backoff (at most `retryAfter` apart)
/// and probes a connection every `probeInterval`, so `/healthz` follows PostgreSQL within seconds and
/// a cut network is noticed without a post. Problems are logged once per state with the masked URL.
public final class FleetDeploymentRepository: DeploymentSink, DeploymentStoreHealthSource, Service {
    public let url: FleetURL
    /// Checked again on a record merged with the stored one, inside the storing transaction.
    let bounds: DeploymentBounds
    let logger: Logger
    /// What a sender is told to wait while PostgreSQL is away, and the longest between two reconnections.
    let retryAfter: Duration = .seconds(3)
    let probeInterval: Duration = .seconds(5)

    private struct State {
        var connection: FleetConnection?
        /// The problem last logged; nil while connected.
        var problem: FleetError?
        var lastSuccessNs: Int64?
    }

    private let state = Mutex(State())
    private let transactions = SerialGate()

    public init(url: FleetURL, bounds: DeploymentBounds, logger: Logger) {
        self.url = url
        self.bounds = bounds
        self.logger = logger
    }

    /// Connects and applies the fleet migrations, before serving. What waiting cannot fix (a refused
    /// password, a missing database, a schema newer than this binary) is thrown; an unreachable server is
    /// logged, and posts are answered 503 until `run()` reaches it.
    public func connectFirst() async throws {
        do {
            try await connect()
        } catch {
            let problem = FleetProblem.describe(error, url: url)
            guard problem.kind == .unreachable else { throw problem }
            note(problem)
        }
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.maintain() }
        } catch is CancellationError {}
        let connection = state.withLock { state in
            defer { state.connection = nil }
            return state.connection
        }
        await connection?.close()
    }

    public func store(_ record: DeploymentRecord, delivery: Delivery) async throws -> StoreOutcome {
        let unavailable = DeploymentStoreUnavailable(retryAfterSeconds: Int(retryAfter.components.seconds))
        guard let connection = state.withLock({ $0.connection }) else { throw unavailable }
        let (bounds, now) = (self.bounds, Timestamp.now().nanoseconds)
        let outcome: DeploymentRepository.Outcome
        do {
            outcome = try await transactions.withHold {
                try await connection.storeDeployment(record, deliveryID: delivery.id, bodyDigest: delivery.bodyDigest, bounds: bounds, nowNs: now)
            }
        } catch let error as FleetError where error.kind == .unreachable {
            await lost(connection, error)
            throw unavailable
        }
        answered()
        switch outcome {
        case .stored(let stored, _): return .stored(stored)
        case .duplicateDelivery: return .duplicateDelivery
        case .deliveryConflict: return .deliveryConflict
        case .sourceConflict(let existing): return .sourceConflict(existing: existing)
        case .recordConflict(let conflict): return .recordConflict(conflict)
        }
    }

    public func health() -> DeploymentStoreHealth {
        state.withLock { state in
            DeploymentStoreHealth(connected: state.connection.map { !$0.connection.isClosed } ?? false,
                                  lastSuccessSeconds: state.lastSuccessNs.map { Double($0) / 1e9 })
        }
    }

    /// `audit import --db postgresql://…`: one record, no delivery, on a connection of its own.
    public static func store(_ record: DeploymentRecord, at url: FleetURL, logger: Logger) async throws(FleetError) -> DeploymentRepository.Outcome {
        do {
            let connection = try await FleetConnection.connect(url, logger: logger)
            do {
                try await connection.migrate()
                let outcome = try await connection.storeDeployment(record, deliveryID: nil, bodyDigest: nil, bounds: nil, nowNs: Timestamp.now().nanoseconds)
                await connection.close()
                return outcome
            } catch {
                await connection.close()
                throw error
            }
        } catch {
            let problem = FleetProblem.describe(error, url: url)
            throw problem
        }
    }

    /// Reconnects while there is no connection, and probes the one there is.
    private func maintain() async throws {
        var backoff = Backoff(maximum: retryAfter)
        let clock = ContinuousClock()
        var nextAttempt = clock.now
        var nextProbe = clock.now.advanced(by: probeInterval)
        while true {
            if let connection = state.withLock({ $0.connection }) {
                if connection.connection.isClosed {
                    // The server went away (a shutdown closes its connections): reconnect without waiting for a post.
                    await lost(connection, FleetProblem.unreachable(url, "the server closed the connection"))
                } else if clock.now >= nextProbe {
                    do {
                        try await transactions.withHold { try await connection.probe() }
                        answered()
                    } catch {
                        await lost(connection, error)
                    }
                    nextProbe = clock.now.advanced(by: probeInterval)
                }
            } else if clock.now >= nextAttempt {
                do {
                    try await connect()
                    backoff.reset()
                    nextProbe = clock.now.advanced(by: probeInterval)
                } catch {
                    note(FleetProblem.describe(error, url: url))
                    nextAttempt = clock.now.advanced(by: backoff.next())
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func connect() async throws {
        let connection = try await FleetConnection.connectMigrated(url, logger: logger)
        let now = Timestamp.now().nanoseconds
        let recovered = state.withLock { state in
            defer {
                state.connection = connection
                state.problem = nil
                state.lastSuccessNs = now
            }
            return state.problem != nil
        }
        logger.info(recovered ? "connected to PostgreSQL again; deployment posts are stored again" : "connected to PostgreSQL",
                    metadata: ["fleet.url": "\(url)"])
    }

    private func answered() {
        let now = Timestamp.now().nanoseconds
        state.withLock { $0.lastSuccessNs = now }
    }

    /// Drops a connection that failed (unless another task already replaced it).
    private func lost(_ connection: FleetConnection, _ error: any Error) async {
        state.withLock { state in
            if state.connection === connection { state.connection = nil }
        }
        await connection.close()
        note(FleetProblem.describe(error, url: url))
    }

    /// Logs `problem` when it is not the one logged last: once per state, not once per retry.
    private func note(_ problem: FleetError) {
        let changed = state.withLock { state in
            defer { state.problem = problem }
            return state.problem?.kind != problem.kind
        }
        guard changed else { return }
        logger.error("PostgreSQL is unavailable: deployment posts are answered 503 and stored once it answers again", metadata: [
            "fleet.url": "\(url)", "fleet.problem": "\(problem.kind.rawValue)", "fleet.error": "\(problem.message)",
        ])
    }
}
