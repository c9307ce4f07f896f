import AuditSupport

extension DeploymentRecord {
    /// This record updated by a later post with the same id (typically the start, then the finish).
    ///
    /// While the record is in progress, a post completes it: non-nil fields win and the status moves
    /// forward. Once it is final it may only be completed, never widened: a post may fill fields still
    /// missing and narrow the window (a later start is ignored, an earlier finish is taken), and
    /// anything else throws `DeploymentConflict`. Widening is refused even before the record is final
    /// for the start: a window that reaches back would cover changes made before the deployment began.
    ///
    /// Late arrivals that providers really send are not conflicts: an `in_progress` after the result
    /// (out-of-order delivery) and a `cancelled` after a result (GitHub marks superseded deployments
    /// `inactive` long after they succeeded) leave the result and its finish as they were.
    public func merged(with newer: DeploymentRecord) throws(DeploymentConflict) -> DeploymentRecord {
        guard newer.startedAt >= startedAt else {
            throw conflict("started_at", RFC3339.format(startedAt), RFC3339.format(newer.startedAt))
        }
        guard status.isFinal else { return completed(by: newer) }

        var out = self
        if newer.status.isFinal, newer.status != status, newer.status != .cancelled {
            throw conflict("status", status.rawValue, newer.status.rawValue)
        }
        if let offered = newer.finishedAt, newer.status != .cancelled || status == .cancelled {
            if let stored = finishedAt {
                guard offered <= stored else { throw conflict("finished_at", RFC3339.format(stored), RFC3339.format(offered)) }
                out.finishedAt = max(offered, startedAt)
            } else {
                out.finishedAt = offered
            }
        }
        // Scope: nil means any host, any project, every service, so filling one in narrows.
        out.host = try filled(\.host, "host", by: newer)
        out.project = try filled(\.project, "project", by: newer)
        if let offered = newer.services {
            if let stored = services, !Set(offered).isSubset(of: stored) {
                throw conflict("services", stored.joined(separator: ","), offered.joined(separator: ","))
            }
            out.services = offered
        }
        // Containers a record names are covered whatever their project: naming more widens it.
        if let offered = newer.touched, offered != touched {
            guard let stored = touched, Set(offered).isSubset(of: stored) else {
                throw conflict("touched", touched?.joined(separator: ",") ?? "(none)", offered.joined(separator: ","))
            }
            out.touched = offered
        }
        // Declared images decide image drift, so a finished record's cannot be supplied afterwards.
        if let offered = newer.images, offered != images {
            throw conflict("images", images.map(Self.describe) ?? "(none)", Self.describe(offered))
        }
        // What the commands could do, and each step's window, decide coverage as much as the window does.
        if let offered = newer.commands, offered != commands {
            guard commands == nil else {
                throw conflict("commands", (commands ?? []).joined(separator: "; "), offered.joined(separator: "; "))
            }
            out.commands = offered
        }
        // Steps narrow a record that knew no commands (it covered anything in its window); where
        // commands are known, a step's opaque script would widen them.
        if let offered = newer.steps, offered != steps {
            guard steps == nil, commands == nil else {
                throw conflict("steps", "\(steps?.count ?? 0) step(s) and \(commands?.count ?? 0) command(s)", "\(offered.count) other step(s)")
            }
            out.steps = offered
        }
        out.environment = try filled(\.environment, "environment", by: newer)
        out.commit = try filled(\.commit, "commit", by: newer)
        out.ref = try filled(\.ref, "ref", by: newer)
        out.actor = try filled(\.actor, "actor", by: newer)
        out.url = try filled(\.url, "url", by: newer)
        out.note = try filled(\.note, "note", by: newer)
        return out
    }

    /// An in-progress record completed by `newer`: its non-nil fields win, the status moves forward.
    private func completed(by newer: DeploymentRecord) -> DeploymentRecord {
        var out = self
        out.environment = newer.environment ?? environment
        out.host = newer.host ?? host
        out.project = newer.project ?? project
        out.services = newer.services ?? services
        out.images = newer.images ?? images
        out.commit = newer.commit ?? commit
        out.ref = newer.ref ?? ref
        out.actor = newer.actor ?? actor
        out.url = newer.url ?? url
        out.touched = newer.touched ?? touched
        out.note = newer.note ?? note
        out.commands = newer.commands ?? commands
        out.steps = newer.steps ?? steps
        out.status = newer.status
        out.finishedAt = newer.finishedAt ?? finishedAt
        return out
    }

    /// The stored value, or the offered one when none is stored; a different offered value conflicts.
    private func filled(
        _ field: KeyPath<DeploymentRecord, String?>, _ name: String, by newer: DeploymentRecord
    ) throws(DeploymentConflict) -> String? {
        guard let offered = newer[keyPath: field] else { return self[keyPath: field] }
        guard let stored = self[keyPath: field] else { return offered }
        guard stored == offered else { throw conflict(name, JSONWriter.quoted(stored), JSONWriter.quoted(offered)) }
        return stored
    }

    private func conflict(_ field: String, _ stored: String, _ offered: String) -> DeploymentConflict {
        DeploymentConflict(id: id, field: field, stored: stored, offered: offered)
    }

    private static func describe(_ images: [String: String]) -> String {
        images.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
