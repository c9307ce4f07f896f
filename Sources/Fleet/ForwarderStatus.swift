import Synchronization

/// The forwarder's figures as `/metrics` reads them, updated as it goes.
public final class ForwarderStatus: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// The URL, password masked.
        public var target: String
        /// True while a connection to PostgreSQL is open and the schema checked.
        public var connected = false
        /// The newest event time PostgreSQL confirmed for this host; nil before it confirmed any.
        public var confirmedNs: Int64?
        /// Events of this store PostgreSQL has not confirmed yet.
        public var pendingRows: Int64 = 0
        /// Seconds between the newest stored event and the newest PostgreSQL confirms for this host.
        public var lagSeconds: Double = 0
        /// When PostgreSQL last confirmed a batch (or that nothing was pending), nanoseconds since 1970.
        public var lastSuccessNs: Int64?
        public var lastError: String?
        /// Events sent, and how many of them PostgreSQL did not hold yet (the rest were duplicates).
        public var rowsSent: Int = 0
        public var rowsInserted: Int = 0
        /// Rows of the other tables (snapshots, coverage, gaps, deployments…) changed and not confirmed yet,
        /// a full copy's rest included.
        public var pendingChanges: Int64 = 0
        /// Rows of the other tables sent in the current connection.
        public var recordsSent: Int = 0
    }

    private let state: Mutex<Snapshot>

    public init(target: String) { state = Mutex(Snapshot(target: target)) }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }
}
