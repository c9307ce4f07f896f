import AuditSupport

/// One change a person or a pipeline made: the events of one `docker restart`, one recreate, one exec.
/// Attribution and findings work on changes, never on single events.
struct Change: Sendable {
    /// The finding kind it becomes when out of band; creates start as `unmanagedContainer` and may
    /// turn into `imageDrift` once deployments are known.
    var kind: FindingKind
    /// The event that names the change (`restart` in a restart sequence); the finding's id and time.
    var anchor: MatcherEvent
    /// Every event of the change, the anchor included, oldest first.
    var members: [MatcherEvent]
    /// The container's name once the change is done (a recreate's final name).
    var name: String?
    /// The container a recreate replaced.
    var replacedID: String?
    /// The gap a reconciler change belongs to.
    var gap: Gap?

    init(kind: FindingKind, anchor: MatcherEvent, members: [MatcherEvent]? = nil, name: String? = nil) {
        self.kind = kind
        self.anchor = anchor
        self.members = members ?? [anchor]
        self.name = name ?? anchor.name
    }

    var action: String { anchor.action }
    var timeNano: Int64 { anchor.timeNano }
    var containerID: String { anchor.actorID }

    var subject: ChangeSubject {
        ChangeSubject(
            project: anchor.project, service: anchor.service,
            names: Set(members.compactMap(\.name) + [name].compactMap { $0 }),
            isImage: anchor.type == "image"
        )
    }

    /// What it was, for a list of in-band changes: `create`, `recreate`, else the anchor's action.
    var summary: String {
        guard kind == .unmanagedContainer || kind == .imageDrift else { return action }
        return replacedID == nil ? "create" : "recreate"
    }

    /// Whether the change touched `containerID`, as itself or as the container it replaced.
    func touches(_ containerID: String) -> Bool {
        replacedID == containerID || members.contains { $0.actorID == containerID }
    }
}
