import AuditSupport

/// Decides which deployment, if any, covers a change, and says why. Computed from all records at
/// report time, so a record that arrives after its events still claims them.
struct Attributor {
    /// What attribution concluded about one change.
    enum Verdict {
        case inBand(Deployment, evidence: String)
        /// `why` names the nearest candidate and what it lacks.
        case outOfBand(why: String)
    }

    /// Newest first: when records overlap, the latest deployment is the one that acted.
    private let deployments: [Deployment]
    /// The records for this host (or any host), newest first, with their tolerance and units worked
    /// out once rather than for every change.
    private let candidates: [(deployment: Deployment, tolerance: Tolerance, units: [Deployment.Unit])]
    /// Records that name another host: never cover a change here, but one that would have is the
    /// reason to give (a pipeline run for host A does not explain the same change on host B).
    private let elsewhere: [(deployment: Deployment, tolerance: Tolerance, units: [Deployment.Unit])]
    /// Each candidate's units, widened by its tolerance, spanned: no change outside it can be covered.
    private let candidateReach: [(fromNs: Int64, toNs: Int64)]
    private let host: String?

    /// - Parameter toleranceOverride: `--tolerance`; nil follows each record's clock.
    init(deployments: [Deployment], host: String?, toleranceOverride: Int64?) {
        self.deployments = deployments.sorted { ($0.startedAtNs, $1.id) > ($1.startedAtNs, $0.id) }
        self.host = host
        let forThisHost = { (d: Deployment) in d.host.map { recordHost in host.map { $0 == recordHost } ?? true } ?? true }
        candidates = self.deployments.filter(forThisHost).map { ($0, Tolerance.of($0, override: toleranceOverride), $0.units) }
        elsewhere = self.deployments.filter { !forThisHost($0) }.map { ($0, Tolerance.of($0, override: toleranceOverride), $0.units) }
        candidateReach = candidates.map { _, tolerance, units in
            (units.map(\.startNs).min().map { $0.minus(saturating: tolerance.ns) } ?? .max,
             units.map(\.upperNs).max().map { $0.plus(saturating: tolerance.ns) } ?? .min)
        }
    }

    /// The deployment covering `change`: a recreate or restart that began inside a window is in band
    /// as a whole, even when its last step lands just outside. Otherwise the nearest candidate
    /// (closest window, then fewest shortfalls) explains the finding.
    func verdict(for change: Change) -> Verdict {
        var nearest: Deployment.Check?
        for (deployment, tolerance, units) in candidates {
            for check in deployment.checks(change, units: units, tolerance: tolerance) {
                if check.covers { return .inBand(deployment, evidence: check.evidence) }
                if nearest.map({ (check.distanceNs, check.failures) < ($0.distanceNs, $0.failures) }) ?? true { nearest = check }
            }
        }
        for (deployment, tolerance, units) in elsewhere {
            for check in deployment.checks(change, units: units, tolerance: tolerance) where check.covers {
                return .outOfBand(why: "deployment \(deployment.id) would cover it but was for host \(deployment.host ?? "?"), not \(host ?? "this host")"
                    + (nearest.map { "; nearest for this host: " + $0.why } ?? ""))
            }
        }
        return .outOfBand(why: nearest?.why ?? "no deployment on record for this host around this time")
    }

    /// The deployment covering `change`, as `verdict` finds it, without the reasons: a record none of
    /// whose windows, widened by its tolerance, reaches the change's times cannot cover it and is skipped
    /// before any check is built. The reconciliation asks this of every create a host ever stored, against
    /// every record (a fleet report: 330 creates × 29 records a host, a third of its time in checks).
    func covering(_ change: Change) -> Deployment? {
        guard let first = change.members.map(\.timeNano).min(), let last = change.members.map(\.timeNano).max() else { return nil }
        // The span first, on plain numbers: most records are days away from most creates.
        for index in candidates.indices where first <= candidateReach[index].toNs && last >= candidateReach[index].fromNs {
            let (deployment, tolerance, units) = candidates[index]
            let reachable = units.contains { unit in
                (first <= unit.upperNs || first.distance(saturatingTo: unit.upperNs) <= tolerance.ns)
                    && (last >= unit.startNs || last.distance(saturatingTo: unit.startNs) <= tolerance.ns)
            }
            if reachable, deployment.checks(change, units: units, tolerance: tolerance).contains(where: \.covers) { return deployment }
        }
        return nil
    }

    /// The latest deployment, started by the time of `change`, that declared an image for its
    /// compose service on this host.
    func declaration(for change: Change) -> (deployment: Deployment, image: String)? {
        guard let service = change.anchor.service else { return nil }
        for record in deployments where record.startedAtNs <= change.timeNano {
            if let recordHost = record.host, let host, recordHost != host { continue }
            if let project = record.project, project != change.anchor.project { continue }
            if let services = record.services, !services.contains(service) { continue }
            if let image = record.declaredImage(for: service) { return (record, image) }
        }
        return nil
    }
}
