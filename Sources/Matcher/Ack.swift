/// A person's acknowledgement of a finding, possibly until a deadline by which the manual change
/// should have reached the manifest.
public struct Ack: Sendable, Equatable {
    public var findingID: String
    public var by: String
    public var reason: String
    public var atNs: Int64
    public var expiresNs: Int64?

    public init(findingID: String, by: String, reason: String, atNs: Int64, expiresNs: Int64? = nil) {
        self.findingID = findingID
        self.by = by
        self.reason = reason
        self.atNs = atNs
        self.expiresNs = expiresNs
    }
}
