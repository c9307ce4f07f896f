/// A stretch of time the collector did not watch; the reconciler's changes belong to one.
public struct Gap: Sendable, Equatable {
    public var fromNs: Int64
    public var toNs: Int64
    /// Why watching stopped: `daemon restart`, `collector down`, …
    public var cause: String

    public init(fromNs: Int64, toNs: Int64, cause: String) {
        self.fromNs = fromNs
        self.toNs = toNs
        self.cause = cause
    }
}
