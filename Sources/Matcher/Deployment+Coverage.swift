extension Deployment {
    /// The longest an unfinished deployment covers: a pipeline that never reported back must not
    /// excuse everything after it.
    static let inProgressCapNs: Int64 = 30 * 60 * 1_000_000_000

    /// The instants this record vouches for. Failed and cancelled deployments still cover their
    /// window: the pipeline made those changes. A record without an end (in progress, or final but
    /// missing `finished_at`) covers at most 30 minutes past its start, tolerance included.
    func window(toleranceNs: Int64) -> ClosedRange<Int64> {
        let lower = startedAtNs - toleranceNs
        let cap = startedAtNs + Self.inProgressCapNs
        guard status != .inProgress, let finishedAtNs else { return lower...max(lower, cap) }
        return lower...max(lower, finishedAtNs + toleranceNs)
    }

    /// Whether this record covers a change to `subject` at `timeNs` on `host`.
    func covers(_ subject: ChangeSubject, at timeNs: Int64, host: String?, toleranceNs: Int64) -> Bool {
        if let recordHost = self.host, let host, recordHost != host { return false }
        guard window(toleranceNs: toleranceNs).contains(timeNs) else { return false }
        // Image events name no container: any deployment on the host may pull or tag.
        if subject.isImage { return true }
        if let touched, !subject.names.isDisjoint(with: touched) { return true }
        if let project, subject.project != project { return false }
        if let services {
            guard let service = subject.service, services.contains(service) else { return false }
        }
        return true
    }

    /// The image this record declared for `service`, if any.
    func declaredImage(for service: String?) -> String? {
        guard let service else { return nil }
        return images?[service]
    }
}
