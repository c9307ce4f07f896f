import AuditSupport

extension Deployment {
    /// The longest an unfinished deployment covers: a pipeline that never reported back must not
    /// excuse everything after it.
    public static let inProgressCapNs: Int64 = 30 * 60 * 1_000_000_000

    /// One window of the record with what ran in it: the whole record, or one of its steps.
    struct Unit {
        /// Nil when the record lists no commands.
        var command: String?
        /// Nil when the command is opaque or no command is known: anything.
        var effects: Set<Effect>?
        var startNs: Int64
        /// Nil when unfinished: the window then ends `inProgressCapNs` after the start.
        var endNs: Int64?
        var touched: [String]?
        var isStep: Bool

        var upperNs: Int64 { endNs ?? startNs + Deployment.inProgressCapNs }
    }

    /// A record's units: each step with its own window (or the record's), else the record itself.
    var units: [Unit] {
        let end = status == .inProgress ? nil : finishedAtNs
        guard let steps, !steps.isEmpty else {
            return [Unit(command: nil, effects: nil, startNs: startedAtNs, endNs: end, touched: touched, isStep: false)]
        }
        return steps.map { step in
            let timed = step.startedAtNs != nil
            // Masked here, once: the command is shown in every why and evidence line, never parsed again.
            return Unit(command: SecretMask.command(step.command), effects: step.effects, startNs: step.startedAtNs ?? startedAtNs,
                        endNs: timed ? (step.finishedAtNs ?? end) : end, touched: step.touched ?? touched, isStep: timed)
        }
    }

    /// What checking one unit against one change found; rendered into words only when shown.
    struct Check {
        var deployment: Deployment
        var unit: Unit
        var tolerance: Tolerance
        /// The member time nearest the unit's window, and how far outside it (0 inside).
        var nearestNs: Int64
        var distanceNs: Int64
        var inWindow: Bool
        var outOfScope: Bool
        var missingEffects: [Effect]
        /// The unit's output names the containers it changed, and not this one.
        var notTouched: Bool
        /// The changed container's compose project, for the words.
        var changeProject: String?

        var covers: Bool { inWindow && !outOfScope && missingEffects.isEmpty && !notTouched }
        var failures: Int { [!inWindow, outOfScope, !missingEffects.isEmpty, notTouched].filter { $0 }.count }
    }

    /// The checks of each of `units` (this record's, computed once per report) against `change`.
    func checks(_ change: Change, units: [Unit], tolerance: Tolerance) -> [Check] {
        let subject = change.subject
        let needed = change.effects
        let outOfProject = project.map { subject.project != $0 } ?? false
        let outOfServices = services.map { services in subject.service.map { !services.contains($0) } ?? true } ?? false
        return units.map { unit in
            var nearest = change.members[0].timeNano
            var distance = Int64.max
            for member in change.members {
                let t = member.timeNano
                let d = t < unit.startNs ? unit.startNs.distance(saturatingTo: t) : (t > unit.upperNs ? t.distance(saturatingTo: unit.upperNs) : 0)
                if d < distance { (nearest, distance) = (t, d) }
            }
            // An unfinished record's cap already is its slack.
            let slack = unit.endNs == nil && nearest > unit.upperNs ? 0 : tolerance.ns
            // Image events name no container: any deployment on the host may pull or tag.
            let named = unit.touched.map { !subject.names.isDisjoint(with: $0) } ?? false
            let scoped = subject.isImage || named || !(outOfProject || outOfServices)
            return Check(
                deployment: self, unit: unit, tolerance: tolerance, nearestNs: nearest, distanceNs: distance,
                inWindow: distance <= slack, outOfScope: !scoped,
                missingEffects: unit.effects.map { can in Effect.allCases.filter { needed.contains($0) && !can.contains($0) } } ?? [],
                notTouched: scoped && !subject.isImage && !named && unit.touched != nil, changeProject: subject.project)
        }
    }

    /// The image this record declared for `service`, if any.
    func declaredImage(for service: String?) -> String? {
        guard let service else { return nil }
        return images?[service]
    }

    /// `myproj deployment cli-20261201T220424Z-3f2a`.
    var label: String { "\(project.map { $0 + " " } ?? "")deployment \(id)" }
}

extension Change {
    /// What a deployment must be able to do to have made this change.
    var effects: Set<Deployment.Effect> {
        Set(members.map { member -> Deployment.Effect in
            if member.type == "image" { return .images }
            switch member.action {
            case "exec_start": return .exec
            case "update": return .update
            case "extract-to-dir", "archive-path": return .copy
            case "commit": return .commit
            default: return .containers
            }
        })
    }
}

extension Deployment.Check {
    /// Why this unit does not cover the change, as a finding's `why`: "myproj deployment cli-… finished
    /// 6.1 s before; tolerance 0.5 s (…); its command `docker-compose up -d` does not exec".
    var why: String {
        var reasons: [String] = []
        if !inWindow { reasons.append(timeMiss) }
        if outOfScope {
            let d = deployment
            if let project = d.project, project != changeProject {
                reasons.append("it deploys project \(project), not \(changeProject.map { "project \($0)" } ?? "a container outside any compose project")")
            } else if let services = d.services {
                reasons.append("it deploys \(services.joined(separator: ", ")) only")
            }
        }
        if !missingEffects.isEmpty {
            // A step's label already names its command.
            let what = unit.isStep ? "" : unit.command.map { "its command `\($0)` " } ?? "it "
            reasons.append("\(what)does not \(missingEffects.map(\.verb).joined(separator: " or "))")
        }
        if notTouched {
            let names = unit.touched ?? []
            reasons.append(names.isEmpty ? "its output says it changed no container"
                                         : "its output names the containers it changed (\(names.joined(separator: ", "))), not this one")
        }
        return "\(subjectLabel) " + reasons.joined(separator: "; ")
    }

    /// The evidence an in-band change rests on, for `audit report --in-band`.
    var evidence: String {
        var parts: [String] = []
        if distanceNs == 0 {
            parts.append("during its window")
        } else {
            let side = nearestNs < unit.startNs ? "before it started" : "after it finished"
            parts.append("\(DurationFormat.precise(nanoseconds: distanceNs)) \(side), within tolerance \(tolerance.description)")
        }
        switch (unit.command, unit.effects) {
        case (nil, _): parts.append("no commands on record, so any change in its scope")
        case (let command?, nil): parts.append("opaque command `\(command)` (its body is unknown) may do anything")
        case (let command?, let effects?):
            parts.append("its command `\(command)` can \(Deployment.Effect.allCases.filter(effects.contains).map(\.verb).joined(separator: ", "))")
        }
        if let touched = unit.touched, !touched.isEmpty { parts.append("its output names \(touched.joined(separator: ", "))") }
        return "\(subjectLabel): " + parts.joined(separator: "; ")
    }

    private var subjectLabel: String {
        unit.isStep ? "\(deployment.label) step `\(unit.command ?? "")`" : deployment.label
    }

    private var timeMiss: String {
        let d = DurationFormat.precise(nanoseconds: distanceNs)
        let tol = "tolerance \(tolerance.description)"
        if nearestNs < unit.startNs { return "started \(d) after; \(tol)" }
        guard let end = unit.endNs else {
            return "started \(DurationFormat.precise(nanoseconds: nearestNs - unit.startNs)) before and never finished (an unfinished record covers 30 minutes)"
        }
        return "\(unit.isStep ? "ended" : "finished") \(DurationFormat.precise(nanoseconds: nearestNs - end)) before; \(tol)"
    }
}

extension Deployment.Effect {
    var verb: String {
        switch self {
        case .containers: return "create, start, stop or remove containers"
        case .images: return "pull or tag images"
        case .exec: return "exec"
        case .update: return "update containers"
        case .copy: return "copy files into or out of containers"
        case .commit: return "commit containers"
        }
    }
}
