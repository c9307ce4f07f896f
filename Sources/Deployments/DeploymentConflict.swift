import AuditSupport

/// A later post that would change what a finished deployment record already says. Answered 409:
/// a record that could be widened after the fact would let whoever can post excuse any change.
public struct DeploymentConflict: Error, Sendable, Equatable, CustomStringConvertible {
    public var id: String
    /// The wire key, as in `finished_at`.
    public var field: String
    public var stored: String
    public var offered: String

    /// Set when the conflict is not a changed field but what the merge would make of the record.
    public var reason: String?

    public init(id: String, field: String, stored: String, offered: String, reason: String? = nil) {
        self.id = id
        self.field = field
        self.stored = stored
        self.offered = offered
        self.reason = reason
    }

    public var description: String {
        if let reason { return "deployment \(JSONWriter.quoted(id)): \(reason)" }
        return "deployment \(JSONWriter.quoted(id)) is already recorded with \(field) \(stored); "
            + "a later post may only fill missing fields or narrow the window, not change it to \(offered)"
    }
}
