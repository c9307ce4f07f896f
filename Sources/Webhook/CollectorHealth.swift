/// The collector's state as `/healthz` and `/metrics` report it, read once per request.
public struct CollectorHealth: Sendable, Equatable {
    /// True while the collector holds an open event stream from the Docker engine.
    public var connected: Bool
    /// Seconds since the last stored event; nil before the first one.
    public var lastEventAgeSeconds: Double?
    public var eventsStored: Int
    public var quarantined: Int
    public var reconnects: Int
    /// Coverage gaps recorded: windows in which events may have been missed.
    public var gaps: Int
    /// Events the writer gave up on (each run of them is also a gap).
    public var eventsDropped: Int
    /// True while the store's file system refuses writes and events wait in memory.
    public var storeFull: Bool
    /// Nil when the collector runs no notifier (`--notify`).
    public var notifications: NotificationHealth?
    /// Nil when the collector forwards nowhere (`--forward`).
    public var forwarding: ForwardingHealth?

    public init(connected: Bool, lastEventAgeSeconds: Double?, eventsStored: Int, quarantined: Int, reconnects: Int, gaps: Int,
                eventsDropped: Int = 0, storeFull: Bool = false, notifications: NotificationHealth? = nil,
                forwarding: ForwardingHealth? = nil) {
        self.connected = connected
        self.lastEventAgeSeconds = lastEventAgeSeconds
        self.eventsStored = eventsStored
        self.quarantined = quarantined
        self.reconnects = reconnects
        self.gaps = gaps
        self.eventsDropped = eventsDropped
        self.storeFull = storeFull
        self.notifications = notifications
        self.forwarding = forwarding
    }
}
