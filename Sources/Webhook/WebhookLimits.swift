/// What one sender, or many, may hold of the listener at once. The listener shares its process with
/// the collector, so every bound here protects the event stream as much as the webhook: an idle
/// socket is a file descriptor the Docker client cannot open, a stalled body is memory it cannot use.
public struct WebhookLimits: Sendable, Equatable {
    /// The largest body accepted; larger ones are answered 413 without being read into memory.
    public var maxBodyBytes: Int
    /// All bodies being read at once, together; a request that would pass it is answered 503.
    /// 300 stalled 1 MB bodies took the collector from 88 MB to 441 MB before this existed.
    public var bodyBudgetBytes: Int
    /// Open connections at most: past it a new connection closes the oldest one not serving a request,
    /// and when all are serving, requests are answered 503 (see `ConnectionBudget`).
    public var maxConnections: Int
    /// A connection with no complete request part for this long is closed.
    public var idleTimeout: Duration
    /// From the request head to the last body byte; a slower sender gets 408 and the connection closes.
    public var requestDeadline: Duration

    public init(
        maxBodyBytes: Int = 1 << 20, bodyBudgetBytes: Int = 16 << 20, maxConnections: Int = 128,
        idleTimeout: Duration = .seconds(10), requestDeadline: Duration = .seconds(5)
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.bodyBudgetBytes = bodyBudgetBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.requestDeadline = requestDeadline
    }
}
