import HummingbirdCore
import Synchronization

/// Counts the listener's open connections. Past `limit` a request is answered 503 and its connection
/// closed; past `limit + overflow` the listener stops accepting, and further connections wait in the
/// kernel's backlog, holding no descriptor of this process. Descriptors are what the collector's own
/// Docker connections need: 1,100 idle sockets under `ulimit -n 1024` once made its inspections fail.
final class ConnectionBudget: Sendable {
    let limit: Int
    /// Connections accepted beyond the limit only to be told 503, so a sender learns why.
    let overflow: Int
    private let open = Atomic<Int>(0)

    init(limit: Int, overflow: Int = 16) {
        self.limit = limit
        self.overflow = overflow
    }

    var count: Int { open.load(ordering: .relaxed) }

    /// True when the open connections exceed the limit: the request should be refused.
    var isOverLimit: Bool { count > limit }

    /// Hummingbird's hook into the server channel, which asks before each accept.
    var delegate: Delegate { Delegate(budget: self) }

    struct Delegate: AvailableConnectionsDelegate {
        let budget: ConnectionBudget

        mutating func connectionOpened() { budget.open.add(1, ordering: .relaxed) }
        mutating func connectionClosed() { budget.open.subtract(1, ordering: .relaxed) }
        func isAcceptingNewConnections() -> Bool { budget.count < budget.limit + budget.overflow }
    }
}
