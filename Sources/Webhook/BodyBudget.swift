import Synchronization

/// The bytes all requests being read may hold together. A sender that opens many connections and
/// trickles a large body into each would otherwise grow the collector's memory without bound; the
/// budget turns the request that would pass it into a 503 before its body is read.
final class BodyBudget: Sendable {
    private let capacity: Int
    private let used = Atomic<Int>(0)

    init(capacity: Int) { self.capacity = capacity }

    /// Takes `bytes` from the budget; false (taking nothing) when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard bytes <= capacity - current else { return false }
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + bytes, ordering: .acquiringAndReleasing
            )
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        used.subtract(bytes, ordering: .acquiringAndReleasing)
    }

    /// What one request holds of the budget, taken chunk by chunk as its body arrives, so a sender
    /// that announces a large body and sends nothing holds nothing.
    final class Reservation: Sendable {
        private let budget: BodyBudget
        private let held = Atomic<Int>(0)

        init(_ budget: BodyBudget) { self.budget = budget }

        func take(_ bytes: Int) -> Bool {
            guard budget.reserve(bytes) else { return false }
            held.add(bytes, ordering: .relaxed)
            return true
        }

        func releaseAll() { budget.release(held.exchange(0, ordering: .acquiringAndReleasing)) }
    }
}
