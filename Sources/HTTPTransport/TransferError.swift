/// Why a transfer ended without an HTTP answer.
public enum TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller cancelled it (its task, or the stream's consumer went away).
    case cancelled
    /// Nothing answered at `url`, or the connection broke: curl's own words in `reason`.
    case unreachable(url: String, reason: String)

    public var description: String {
        switch self {
        case .cancelled: return "transfer cancelled"
        case .unreachable(let url, let reason): return "cannot reach \(url): \(reason)"
        }
    }
}
