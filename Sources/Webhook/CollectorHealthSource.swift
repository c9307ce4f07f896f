/// Supplies the collector's current health; called on every `/healthz` and `/metrics` request, so it
/// must be cheap and must not block.
public protocol CollectorHealthSource: Sendable {
    func health() -> CollectorHealth
}
