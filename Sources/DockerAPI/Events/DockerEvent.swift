/// One message of `GET /events`, decoded with full fidelity.
///
/// `action` is the base action (`exec_start`); what the daemon appended after `": "` is in `detail`
/// (the exec command, or `healthy` for `health_status`). Podman's dialect is normalised to Docker's
/// names (`remove` → `destroy`, `died` → `die`, `exec` → `exec_start`, `exec_died` → `exec_die`).
public struct DockerEvent: Sendable, Equatable {
    public var type: String
    public var action: String
    public var detail: String?
    public var actorID: String
    /// Every attribute the daemon sent (container labels included), in the daemon's order.
    public var attributes: Attributes
    public var scope: String?
    public var timeNano: Int64

    public init(type: String, action: String, detail: String? = nil, actorID: String,
                attributes: Attributes = Attributes(), scope: String? = nil, timeNano: Int64) {
        self.type = type
        self.action = action
        self.detail = detail
        self.actorID = actorID
        self.attributes = attributes
        self.scope = scope
        self.timeNano = timeNano
    }

    /// The action as the daemon wrote it, e.g. `exec_start: sh -c date`.
    public var fullAction: String {
        guard let detail else { return action }
        return "\(action): \(detail)"
    }
}
