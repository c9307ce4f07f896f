/// Why a transfer ended without an HTTP answer.
public enum TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller cancelled it (its task, or the stream's consumer went away).
    case cancelled
    /// Nothing answered at `url`, or the connection broke: curl's own words in `reason`.
    case unreachable(url: String, reason: String)
    /// curl refused the request as configured (a TLS file, the socket path): nothing was sent.
    case setup(url: String, reason: String)
    /// The answer's body passed the caller's limit; the transfer was stopped there.
    case tooLarge(url: String, limitBytes: Int)

    public var description: String {
        switch self {
        case .cancelled: return "transfer cancelled"
        case .unreachable(let url, let reason): return "cannot reach \(url): \(reason)"
        case .setup(let url, let reason): return "cannot set up the request to \(url): \(reason)"
        case .tooLarge(let url, let limit): return "the answer from \(url) is larger than \(limit) bytes"
        }
    }
}
