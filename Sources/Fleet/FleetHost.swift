/// A host that forwards into the fleet's PostgreSQL: its stable id, its current name, and how far what
/// it forwarded reaches.
public struct FleetHost: Sendable, Equatable {
    public var hostID: String
    public var name: String
    /// How far its watching reached the fleet: the newest heartbeat of its coverage that reached
    /// PostgreSQL, or how far its events have arrived if that is less. After it the host is blind to
    /// the fleet (stopped, cut off, not forwarding, or still catching up), whatever happened there.
    public var watchedUntilNs: Int64?
    /// Events before this were dropped by the fleet's retention.
    public var eventsBeforeNs: Int64?

    public init(hostID: String, name: String, watchedUntilNs: Int64? = nil, eventsBeforeNs: Int64? = nil) {
        self.hostID = hostID
        self.name = name
        self.watchedUntilNs = watchedUntilNs
        self.eventsBeforeNs = eventsBeforeNs
    }
}
