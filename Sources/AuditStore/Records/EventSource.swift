/// Where a stored event came from.
public enum EventSource: Int64, Sendable, CaseIterable {
    /// The live `/events` stream (including the daemon's replay after a reconnect).
    case stream = 0
    /// A dump loaded by `audit ingest`.
    case ingest = 1
    /// A change inferred by comparing snapshots after a gap: `observed-by-reconciliation`.
    case reconciliation = 2

    public var name: String {
        switch self {
        case .stream: return "stream"
        case .ingest: return "ingest"
        case .reconciliation: return "reconciliation"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
