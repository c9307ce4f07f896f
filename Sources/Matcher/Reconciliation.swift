import AuditSupport

/// The seed's periodic full reconciliation, shown: per compose project, the last deployment that
/// recreated every service container, and how long each running container has gone since a
/// deployment last recreated it.
public struct ProjectReconciliation: Sendable, Equatable {
    /// A running container and its last in-band recreate.
    public struct Entry: Sendable, Equatable {
        public var containerID: String
        public var name: String
        public var service: String?
        /// When it was created: by a deployment when `deploymentID` is set, else by hand or before
        /// the store's history.
        public var createdNs: Int64
        public var deploymentID: String?
        /// Out-of-band findings on it in the report's window.
        public var outOfBand: Int
    }

    public var project: String
    /// The latest deployment that created a container for every service the project runs now.
    public var lastFullRecreate: (deploymentID: String, atNs: Int64)?
    /// Longest since a deployment recreated it first.
    public var containers: [Entry]

    public static func == (a: Self, b: Self) -> Bool {
        a.project == b.project && a.lastFullRecreate?.deploymentID == b.lastFullRecreate?.deploymentID
            && a.lastFullRecreate?.atNs == b.lastFullRecreate?.atNs && a.containers == b.containers
    }
}

/// A running container as the reconciliation section needs it.
public struct RunningContainer: Sendable, Equatable {
    public var id: String
    public var name: String
    public var project: String
    public var service: String?
    /// Its `Created` time, for containers whose create event the store does not hold.
    public var createdNs: Int64

    public init(id: String, name: String, project: String, service: String?, createdNs: Int64) {
        self.id = id
        self.name = name
        self.project = project
        self.service = service
        self.createdNs = createdNs
    }
}

extension Matcher {
    /// The reconciliation section, and a low `not-recreated` finding for each running container no
    /// deployment has recreated within `maxAgeNs`.
    ///
    /// - Parameters:
    ///   - running: the containers running now.
    ///   - creates: every stored create of a compose-labelled container, any age.
    ///   - findings: the report's findings, counted per container.
    ///   - acks: acknowledgements, which apply to `not-recreated` findings as to any other.
    public static func reconciliation(
        running: [RunningContainer], creates: [MatcherEvent], deployments: [Deployment], host: String?, toleranceNs: Int64? = nil,
        findings: [Finding], acks: [Ack] = [], maxAgeNs: Int64?, now: Int64
    ) -> (projects: [ProjectReconciliation], findings: [Finding]) {
        let lifecycle = FindingLifecycle(inBand: [], events: [], acks: acks)
        let attributor = Attributor(deployments: deployments, host: host, toleranceOverride: toleranceNs)
        // Each in-band create: container, service, deployment, time.
        var inBand: [(event: MatcherEvent, deploymentID: String)] = []
        for event in creates where event.project != nil {
            let finalName = SequenceGrouper.temporaryName(event.name)?.1 ?? event.name
            let change = Change(kind: .unmanagedContainer, anchor: event, name: finalName)
            if let deployment = attributor.covering(change) { inBand.append((event, deployment.id)) }
        }
        let createdBy = Dictionary(inBand.map { ($0.event.actorID, $0) }, uniquingKeysWith: { a, b in a.event.timeNano > b.event.timeNano ? a : b })
        let counts = Dictionary(grouping: findings, by: \.container.id).mapValues(\.count)

        var projects: [ProjectReconciliation] = []
        var aged: [Finding] = []
        for (project, members) in Dictionary(grouping: running, by: \.project).sorted(by: { $0.key < $1.key }) {
            let services = Set(members.compactMap(\.service))
            // Per deployment: the services it created containers for in this project, and its last create.
            var byDeployment: [String: (services: Set<String>, lastNs: Int64)] = [:]
            for (event, id) in inBand where event.project == project {
                var entry = byDeployment[id] ?? ([], .min)
                if let service = event.service { entry.services.insert(service) }
                entry.lastNs = max(entry.lastNs, event.timeNano)
                byDeployment[id] = entry
            }
            let full = byDeployment.filter { services.isSubset(of: $0.value.services) }.max { $0.value.lastNs < $1.value.lastNs }
            let entries = members.map { c in
                let own = createdBy[c.id]
                return ProjectReconciliation.Entry(containerID: c.id, name: c.name, service: c.service, createdNs: own?.event.timeNano ?? c.createdNs,
                                                   deploymentID: own?.deploymentID, outOfBand: counts[c.id] ?? 0)
            }.sorted { ($0.deploymentID == nil ? 0 : 1, $0.createdNs, $0.name) < ($1.deploymentID == nil ? 0 : 1, $1.createdNs, $1.name) }
            projects.append(ProjectReconciliation(project: project, lastFullRecreate: full.map { ($0.key, $0.value.lastNs) }, containers: entries))

            guard let maxAgeNs else { continue }
            for entry in entries where now - entry.createdNs > maxAgeNs {
                let age = DurationFormat.short(nanoseconds: now - entry.createdNs)
                let detail = entry.deploymentID.map { "running \(age) since deployment \($0) last recreated it" }
                    ?? "running \(age) and no deployment on record recreated it"
                var finding = Finding(
                    id: FindingID.make(actorID: entry.containerID, timeNano: entry.createdNs, action: "not-recreated"),
                    severity: .low, kind: .notRecreated, action: "not-recreated", status: .open, timeNano: now,
                    container: Finding.Container(id: entry.containerID, name: entry.name, project: project, service: entry.service),
                    detail: detail)
                finding.why = "older than --max-age \(DurationFormat.short(nanoseconds: maxAgeNs)): recreate it from the manifest (up --force-recreate) to prove the manifest alone rebuilds it"
                aged.append(lifecycle.apply(to: finding, now: now))
            }
        }
        return (projects, aged)
    }
}
