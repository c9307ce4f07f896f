/// The forwarder's figures for `/metrics` (`--forward`): the backlog PostgreSQL has not confirmed and
/// when it last did. Plain values, so the listener needs nothing of the forwarder.
public struct ForwardingHealth: Sendable, Equatable {
    /// The URL, password masked (never put in a label: a dashboard has one target per collector).
    public var target: String
    public var connected: Bool
    /// Stored events PostgreSQL has not confirmed yet.
    public var pendingEvents: Int64
    /// Seconds between the newest stored event and the newest PostgreSQL holds for this host.
    public var lagSeconds: Double
    /// When PostgreSQL last confirmed a batch or that nothing was pending, seconds since 1970; nil before.
    public var lastSuccessSeconds: Double?
    /// Events sent, and how many of them PostgreSQL stored (the others it already held).
    public var eventsSent: Int
    public var eventsStored: Int
    /// Rows of the other forwarded tables (snapshots, coverage, gaps, deployments…) changed and not
    /// confirmed yet.
    public var pendingChanges: Int64

    public init(target: String, connected: Bool, pendingEvents: Int64, lagSeconds: Double, lastSuccessSeconds: Double?, eventsSent: Int, eventsStored: Int,
                pendingChanges: Int64 = 0) {
        self.target = target
        self.connected = connected
        self.pendingEvents = pendingEvents
        self.lagSeconds = lagSeconds
        self.lastSuccessSeconds = lastSuccessSeconds
        self.eventsSent = eventsSent
        self.eventsStored = eventsStored
        self.pendingChanges = pendingChanges
    }
}
