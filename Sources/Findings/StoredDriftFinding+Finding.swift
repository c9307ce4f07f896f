import AuditStore
import Matcher

extension StoredDriftFinding {
    /// The drift check's finding as the report lists it, next to the changes that made it differ.
    var finding: Finding {
        Finding.drift(id: id, kind: observation.kind, severity: observation.severity, firstSeenNs: firstSeenNs, resolvedNs: resolvedNs,
                      container: Finding.Container(id: observation.containerID ?? "", name: observation.containerName,
                                                   project: project, service: observation.service),
                      field: observation.field, expected: observation.expected, actual: observation.actual)
    }
}
