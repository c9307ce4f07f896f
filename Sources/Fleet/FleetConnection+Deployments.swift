import AuditStore
import AuditSupport
import Deployments
import PostgresNIO

extension FleetConnection {
    /// Stores a deployment posted to `audit serve` (origin '': it applies to the host its `host` field
    /// names, or to every host), with `DeploymentRepository.store`'s rules: a delivery seen before, by
    /// its id or by its body's digest under any id, stores nothing; its id with another body, another
    /// source under the same id, or a post that would widen a final record, are conflicts.
    ///
    /// One transaction under transaction-scoped advisory locks on the record's id, then on the delivery
    /// id: a start and its finish posted at once (to one `audit serve` or to two behind a load balancer)
    /// are merged one after the other, where `SELECT … FOR UPDATE` would lock nothing for a record not
    /// stored yet. Every transaction takes one id lock before one delivery lock, so none waits in a cycle;
    /// the same body always maps to the same record id, so its digest needs no lock of its own.
    func storeDeployment(_ record: DeploymentRecord, deliveryID: String?, bodyDigest: String?, bounds: DeploymentBounds?,
                         nowNs: Int64) async throws -> DeploymentRepository.Outcome {
        try await run {
            try await self.connection.query("BEGIN", logger: self.logger)
            do {
                let outcome = try await self.storeDeploymentInTransaction(record, deliveryID: deliveryID, bodyDigest: bodyDigest, bounds: bounds, nowNs: nowNs)
                if case .stored = outcome {
                    try await self.connection.query("COMMIT", logger: self.logger)
                } else {
                    try await self.connection.query("ROLLBACK", logger: self.logger)
                }
                return outcome
            } catch {
                _ = try? await self.connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    /// The two-key advisory lock space is apart from the migrations' one-key lock.
    private static let deploymentLockClass: Int32 = 74_201
    private static let deliveryLockClass: Int32 = 74_202

    private func storeDeploymentInTransaction(_ record: DeploymentRecord, deliveryID: String?, bodyDigest: String?, bounds: DeploymentBounds?,
                                              nowNs: Int64) async throws -> DeploymentRepository.Outcome {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.deploymentLockClass), hashtext(\(record.id.postgresText)))", logger: logger)
        if let deliveryID {
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.deliveryLockClass), hashtext(\(deliveryID.postgresText)))", logger: logger)
            var seen: String??
            for try await digest in try await connection.query("SELECT body_digest FROM webhook_deliveries WHERE delivery_id = \(deliveryID.postgresText)", logger: logger)
                .decode(String?.self) { seen = digest }
            if let stored = seen {
                if let bodyDigest, let stored, stored != bodyDigest { return .deliveryConflict }
                return .duplicateDelivery
            }
        }
        if let bodyDigest {
            var seen = false
            for try await _ in try await connection.query("SELECT 1 FROM webhook_deliveries WHERE body_digest = \(bodyDigest) LIMIT 1", logger: logger) {
                seen = true
            }
            if seen { return .duplicateDelivery }
        }
        var stored: String?
        for try await json in try await connection.query("SELECT record FROM deployments WHERE origin = '' AND id = \(record.id.postgresText)", logger: logger)
            .decode(String.self) { stored = json }
        var existing: DeploymentRecord?
        if let json = stored {
            do throws(DeploymentInputError) {
                existing = try DeploymentRecord.parseWire(Array(json.utf8), defaultSource: .webhook)
            } catch {
                throw FleetError(.server, "deployment \(JSONWriter.quoted(record.id)) stored in PostgreSQL at \(url) no longer parses (\(error)); "
                    + "it was written by another version of audit: upgrade this one")
            }
        }
        let outcome = DeploymentRepository.outcome(of: record, over: existing, bounds: bounds, nowNs: nowNs)
        guard case .stored(let merged, _) = outcome else { return outcome }
        try await connection.query("""
            INSERT INTO deployments (origin, id, source, status, started_ns, finished_ns, project, host, record, received_ns, updated_ns)
            VALUES ('', \(merged.id.postgresText), \(merged.source.rawValue), \(merged.status.rawValue), \(merged.startedAt.nanoseconds),
                    \(merged.finishedAt?.nanoseconds), \(merged.project?.postgresText), \(merged.host?.postgresText), \(merged.wireJSON()), \(nowNs), \(nowNs))
            ON CONFLICT (origin, id) DO UPDATE SET status = EXCLUDED.status, started_ns = EXCLUDED.started_ns,
                finished_ns = EXCLUDED.finished_ns, project = EXCLUDED.project, host = EXCLUDED.host,
                record = EXCLUDED.record, updated_ns = EXCLUDED.updated_ns
            """, logger: logger)
        // A delivery without an id is remembered by its body, so its replay is recognised too.
        if let key = deliveryID ?? bodyDigest {
            try await connection.query("""
                INSERT INTO webhook_deliveries (delivery_id, deployment_id, received_ns, body_digest)
                VALUES (\(key.postgresText), \(merged.id.postgresText), \(nowNs), \(bodyDigest))
                """, logger: logger)
        }
        return outcome
    }

    /// A statement that touches nothing: whether the server still answers on this connection (`audit serve`
    /// probes its connection with it between posts).
    func probe() async throws {
        try await run { try await self.connection.query("SELECT 1", logger: self.logger) }
    }
}
