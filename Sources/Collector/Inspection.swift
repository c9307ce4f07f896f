import DockerAPI

/// What the collector must look up after an event, while the daemon still knows the answer.
enum Inspection: Hashable, Sendable {
    /// Inspect the container and store a snapshot (`reason` is the triggering action).
    case container(id: String, reason: String, triggerNs: Int64)
    /// The container is gone: store a removal marker.
    case removed(id: String, triggerNs: Int64)
    /// Inspect the exec (user, privileged, tty, command) before the daemon forgets it.
    case exec(execID: String, containerID: String)

    /// Actions after which a container's configuration or state may differ from its last snapshot.
    /// `die` is here so a stopped container is not mistaken for one that stopped during a gap.
    static let snapshotActions: Set<String> = ["create", "start", "update", "rename", "die"]

    /// The inspections a batch calls for, each once, in order.
    static func needed(by items: [StreamItem]) -> [Inspection] {
        var result: [Inspection] = []
        var seen = Set<Inspection>()
        for case .event(let event) in items where event.type == "container" {
            let inspection: Inspection?
            if snapshotActions.contains(event.action) {
                inspection = .container(id: event.actorID, reason: event.action, triggerNs: event.timeNano)
            } else if event.action == "destroy" {
                inspection = .removed(id: event.actorID, triggerNs: event.timeNano)
            } else if event.action == "exec_create" || event.action == "exec_start", let execID = event.attributes["execID"] {
                inspection = .exec(execID: execID, containerID: event.actorID)
            } else {
                inspection = nil
            }
            if let inspection, seen.insert(inspection.coalescingKey).inserted { result.append(inspection) }
        }
        return result
    }

    /// Two snapshot requests for the same container in one batch need one inspect; exec_create and
    /// exec_start of one exec need one exec inspect.
    private var coalescingKey: Inspection {
        switch self {
        case .container(let id, _, _): return .container(id: id, reason: "", triggerNs: 0)
        case .removed(let id, _): return .removed(id: id, triggerNs: 0)
        case .exec(let execID, let containerID): return .exec(execID: execID, containerID: containerID)
        }
    }
}
