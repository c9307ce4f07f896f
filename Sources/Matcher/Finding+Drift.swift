import AuditSupport

/// Drift checks (`audit collect --compose-file`) produce findings too, so `audit report` lists what
/// differs from the manifest next to the changes that made it differ.
extension Finding {
    /// - Parameters:
    ///   - resolvedNs: when a later check found the field back in line; the finding is then reconciled.
    public static func drift(id: String, kind: FindingKind, severity: Severity, firstSeenNs: Int64, resolvedNs: Int64?,
                             container: Container, field: String, expected: String?, actual: String?) -> Finding {
        var finding = Finding(
            id: id, severity: severity, kind: kind, action: "drift", status: resolvedNs == nil ? .open : .reconciled,
            timeNano: firstSeenNs, container: container,
            detail: DriftSentence.describe(service: container.service, field: field, expected: expected, actual: actual))
        finding.why = "the drift check found the running container differs from the manifest; no deployment record makes that in band"
        finding.changes = ["\(field) \(expected ?? "(none)") → \(actual ?? "(none)")"]
        return finding
    }
}
