/// How urgently a finding needs a person: one scale for the matcher's findings and the drift check's.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case low
    case medium
    case high
    case critical

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
