/// What `/healthz` and `/metrics` report where no collector runs beside the listener (`audit serve`):
/// whether the store the deployments go to answers. Plain values, so the listener needs nothing of the store.
public struct DeploymentStoreHealth: Sendable, Equatable {
    /// True while the store answers (a connection that its last statement or probe found working).
    public var connected: Bool
    /// When the store last answered, seconds since 1970; nil before it ever did.
    public var lastSuccessSeconds: Double?

    public init(connected: Bool, lastSuccessSeconds: Double?) {
        self.connected = connected
        self.lastSuccessSeconds = lastSuccessSeconds
    }
}

/// Supplies the store's current health; called on every `/healthz` and `/metrics` request, so it must
/// be cheap and must not block.
public protocol DeploymentStoreHealthSource: Sendable {
    func health() -> DeploymentStoreHealth
}
