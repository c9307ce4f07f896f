import Deployments

/// Where the webhook listener hands verified, parsed deployments. The collector implements it over its
/// store; the listener never writes anything itself, so a rejected request cannot leave a trace.
public protocol DeploymentSink: Sendable {
    /// Stores `record`, merging it into the record with the same id when there is one
    /// (`DeploymentRecord.merged(with:)`: a start, then its finish, make one record).
    ///
    /// - Parameter deliveryID: the sender's delivery key, prefixed with the route's source
    ///   (`webhook:<webhook-id>`, `github:<X-GitHub-Delivery>`, `gitlab:<Idempotency-Key>`), or nil when
    ///   the request carried none. A key seen before means a retried delivery: store nothing and answer
    ///   `.duplicateDelivery`.
    func store(_ record: DeploymentRecord, deliveryID: String?) async throws -> StoreOutcome
}

/// What `DeploymentSink.store(_:deliveryID:)` did.
public enum StoreOutcome: Sendable, Equatable {
    /// The record as stored: newly created, or merged into the earlier post with the same id.
    case stored(DeploymentRecord)
    /// The delivery id was seen before; nothing was stored.
    case duplicateDelivery
    /// The id is already stored from another source; nothing was stored, because letting a webhook
    /// overwrite a GitHub record (or the reverse) would let one sender rewrite another's history.
    case sourceConflict(existing: DeploymentRecord.Source)
}
