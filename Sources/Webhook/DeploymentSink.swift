import Deployments

/// Where the webhook listener hands verified, parsed deployments. The collector implements it over its
/// store; the listener never writes anything itself, so a rejected request cannot leave a trace.
public protocol DeploymentSink: Sendable {
    /// Stores `record`, merging it into the record with the same id when there is one
    /// (`DeploymentRecord.merged(with:)`: a start, then its finish, make one record).
    ///
    /// A delivery seen before (its id, or its body under any id) stores nothing and answers
    /// `.duplicateDelivery`; its id with another body answers `.deliveryConflict`.
    ///
    /// Throws `DeploymentStoreUnavailable` while the store cannot be reached, so the sender is told
    /// to retry; any other error is the receiver's fault and answered 500.
    func store(_ record: DeploymentRecord, delivery: Delivery) async throws -> StoreOutcome
}

/// The sink's store cannot be reached now (`audit serve` while PostgreSQL is down): nothing was stored,
/// and the sender is answered 503 with `Retry-After`, so its retry stores the record once the store is back.
public struct DeploymentStoreUnavailable: Error, Sendable, Equatable {
    /// When a retry may succeed, in whole seconds.
    public var retryAfterSeconds: Int

    public init(retryAfterSeconds: Int) {
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// How one request identifies itself, for recognising retries and replays.
public struct Delivery: Sendable, Equatable {
    /// The sender's delivery key, prefixed with the route's source (`webhook:<webhook-id>`,
    /// `github:<X-GitHub-Delivery>`, `gitlab:<Idempotency-Key>`), or nil when the request carried none.
    public var id: String?
    /// The body's SHA-256, prefixed the same way: the same signed body under a new delivery id is a replay.
    public var bodyDigest: String

    public init(id: String?, bodyDigest: String) {
        self.id = id
        self.bodyDigest = bodyDigest
    }
}

/// What `DeploymentSink.store(_:delivery:)` did.
public enum StoreOutcome: Sendable, Equatable {
    /// The record as stored: newly created, or merged into the earlier post with the same id.
    case stored(DeploymentRecord)
    /// The delivery was seen before; nothing was stored.
    case duplicateDelivery
    /// The delivery id was seen before with another body; nothing was stored.
    case deliveryConflict
    /// The id is already stored from another source; nothing was stored, because letting a webhook
    /// overwrite a GitHub record (or the reverse) would let one sender rewrite another's history.
    case sourceConflict(existing: DeploymentRecord.Source)
    /// The post would widen or change a final record; nothing was stored.
    case recordConflict(DeploymentConflict)
}
