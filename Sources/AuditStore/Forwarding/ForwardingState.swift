/// What the forwarder last learned from one PostgreSQL target, kept in the store (migration 009) so
/// `audit status` can show it without asking PostgreSQL.
public struct ForwardingState: Sendable, Equatable {
    /// The URL, password masked.
    public var target: String
    /// PostgreSQL's newest event time for this host, as last confirmed; nil before anything was.
    public var confirmedNs: Int64?
    /// Events of this store after `confirmedNs`: not yet confirmed by PostgreSQL.
    public var pendingRows: Int64
    public var lastSuccessNs: Int64?
    public var lastError: String?
    public var lastErrorNs: Int64?
    /// Gaps reconciled up to this time have had their events sent again.
    public var gapsCheckedNs: Int64
    public var updatedNs: Int64
    /// Rows of a full copy of the other tables not sent yet (PostgreSQL had none of them); 0 otherwise.
    public var copyRowsLeft: Int64

    public init(target: String, confirmedNs: Int64? = nil, pendingRows: Int64 = 0, lastSuccessNs: Int64? = nil, lastError: String? = nil,
                lastErrorNs: Int64? = nil, gapsCheckedNs: Int64 = 0, updatedNs: Int64, copyRowsLeft: Int64 = 0) {
        self.target = target
        self.confirmedNs = confirmedNs
        self.pendingRows = pendingRows
        self.lastSuccessNs = lastSuccessNs
        self.lastError = lastError
        self.lastErrorNs = lastErrorNs
        self.gapsCheckedNs = gapsCheckedNs
        self.updatedNs = updatedNs
        self.copyRowsLeft = copyRowsLeft
    }
}
