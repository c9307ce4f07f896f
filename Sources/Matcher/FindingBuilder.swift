import AuditSupport

/// Turns a change into a finding: severity, container, and the detail a person needs.
struct FindingBuilder {
    let snapshots: [String: SnapshotHistory]
    let execs: [String: ExecDetails]
    let attributor: Attributor

    /// The finding for `change`, or nil when a deployment covers it and it ran the declared image.
    /// Every finding says why no deployment covered it.
    func finding(for change: Change, verdict: Attributor.Verdict) -> Finding? {
        switch verdict {
        case let .inBand(deployment, evidence):
            guard change.kind == .unmanagedContainer, var finding = undeclaredImage(change, deployment: deployment) else { return nil }
            finding.why = "in band (\(evidence)), but not the image it declared"
            return finding
        case let .outOfBand(why):
            var finding = outOfBand(change)
            finding?.why = why
            return finding
        }
    }

    private func outOfBand(_ change: Change) -> Finding? {
        switch change.kind {
        case .exec: return exec(change)
        case .update: return update(change)
        case .unmanagedContainer, .imageDrift: return manualCreate(change)
        case .unobserved: return unobserved(change)
        case .lifecycle: return base(change, .lifecycle, .medium, lifecycleDetail(change))
        case .copy:
            let direction = change.action == "extract-to-dir" ? "into" : "out of"
            return base(change, .copy, .medium, "docker cp \(direction) the container (\(change.action)) outside a deployment")
        case .commit:
            return base(change, .commit, .medium, "container committed to an image outside a deployment")
        case .image:
            let name = change.anchor.name ?? change.containerID
            return base(change, .image, .medium, "image \(change.action) of \(name) outside a deployment")
        case .configDrift, .orphan, .missing, .notRecreated:
            // Drift comes from the drift check's comparison and age from the reconciliation, never from an event sequence.
            return nil
        }
    }

    private func base(_ change: Change, _ kind: FindingKind, _ severity: Severity, _ detail: String) -> Finding {
        Finding(
            id: FindingID.make(actorID: change.containerID, timeNano: change.timeNano, action: change.action),
            severity: severity, kind: kind, action: change.action, status: .open, timeNano: change.timeNano,
            container: Finding.Container(id: change.containerID, name: change.name, project: change.anchor.project, service: change.anchor.service),
            detail: detail
        )
    }

    private func state(_ change: Change) -> ContainerState? {
        snapshots[change.containerID]?.state(at: change.timeNano)
    }

    /// Exec user, tty and privileges come from exec inspect only: attributes named `user` or
    /// `privileged` are container labels anyone can set.
    private func exec(_ change: Change) -> Finding {
        let details = change.anchor.execID.flatMap { execs[$0] }
        let command = SecretMask.command(change.anchor.detail ?? details?.commandLine ?? "")
        var finding = base(change, .exec, .high, "exec `\(command)` outside a deployment")
        finding.command = command
        guard let details else {
            finding.detail += " (exec inspect unavailable: user, tty and privileges unknown)"
            return finding
        }
        let user = details.user.isEmpty ? (state(change)?.user ?? "") : details.user
        let asRoot = ["", "root", "0"].contains(user.split(separator: ":", omittingEmptySubsequences: false).first.map(String.init) ?? "")
        finding.user = details.user
        finding.privileged = details.privileged
        finding.tty = details.tty
        var traits = [asRoot ? "as root" : "as \(user)"]
        if details.tty { traits.append("with a tty") }
        if details.privileged { traits.append("privileged") }
        finding.detail = "exec `\(command)` \(traits.joined(separator: ", ")) outside a deployment"
        if details.privileged || (asRoot && details.tty) { finding.severity = .critical }
        return finding
    }

    private func update(_ change: Change) -> Finding {
        let changes = snapshots[change.containerID]?.changes(causedBy: change.timeNano) ?? []
        var finding = base(change, .update, .high, changes.isEmpty
            ? "configuration updated outside a deployment (no snapshot diff recorded)"
            : "updated outside a deployment: " + changes.joined(separator: "; "))
        finding.changes = changes.isEmpty ? nil : changes
        return finding
    }

    private func lifecycleDetail(_ change: Change) -> String {
        if change.action == "rename", let old = change.anchor.attributes["oldName"] {
            let from = old.hasPrefix("/") ? String(old.dropFirst()) : old
            return "renamed \(from) → \(change.name ?? change.containerID) outside a deployment"
        }
        return "\(change.action) outside a deployment"
    }

    /// A compose-labelled container created by hand looks like a manual recreate of its service, so
    /// it is image drift, unless a deployment declared an image for that service and the container
    /// runs exactly that image: then only the container is unmanaged. Containers without a service
    /// label are unmanaged containers.
    private func manualCreate(_ change: Change) -> Finding {
        let (reference, imageID) = image(of: change)
        let shown = reference ?? imageID ?? "unknown image"
        let what = change.replacedID == nil ? "created" : "recreated"
        guard let service = change.anchor.service else {
            return base(change, .unmanagedContainer, .high, "container \(what) outside any deployment (image \(shown))")
        }
        let label = [change.anchor.project, service].compactMap { $0 }.joined(separator: "/")
        guard let declared = attributor.declaration(for: change) else {
            return base(change, .imageDrift, .high, "service \(label) \(what) outside any deployment (image \(shown); no deployment declares its image)")
        }
        if ImageMatch.matches(declared: declared.image, reference: reference, imageID: imageID) {
            return base(change, .unmanagedContainer, .high, "service \(label) \(what) outside any deployment with its declared image \(shown)")
        }
        return base(change, .imageDrift, .high,
                    "service \(label) \(what) outside any deployment: runs \(shown), deployment \(declared.deployment.id) declared \(declared.image)")
    }

    /// An in-band create that runs another image than its deployment declared.
    private func undeclaredImage(_ change: Change, deployment: Deployment) -> Finding? {
        guard let declared = deployment.declaredImage(for: change.anchor.service) else { return nil }
        let (reference, imageID) = image(of: change)
        guard !ImageMatch.matches(declared: declared, reference: reference, imageID: imageID) else { return nil }
        return base(change, .imageDrift, .high,
                    "runs \(reference ?? imageID ?? "unknown image"), deployment \(deployment.id) declared \(declared)")
    }

    /// The snapshot's reference and id; else the event's `image`, which the daemon sets after labels.
    private func image(of change: Change) -> (reference: String?, id: String?) {
        let state = self.state(change)
        return (state?.imageRef ?? change.anchor.attributes["image"], state?.imageID)
    }

    private func unobserved(_ change: Change) -> Finding {
        let actions = change.members.map(\.action)
        let changes = change.members.flatMap { member in
            member.action == "update" ? (member.attributes["changes"]?.split(separator: ";").map { $0.trimmingSpaces() } ?? []) : []
        }
        var detail = "changed while unwatched: " + actions.joined(separator: ", ")
        if !changes.isEmpty { detail += " (" + changes.joined(separator: "; ") + ")" }
        var finding = base(change, .unobserved, .high, detail)
        finding.changes = changes.isEmpty ? nil : changes
        finding.gap = change.gap.map { Finding.GapBounds(fromNs: $0.fromNs, toNs: $0.toNs) }
        return finding
    }
}
