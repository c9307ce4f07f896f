import Synchronization

/// One holder at a time, in arrival order: a PostgreSQL connection runs one transaction at a time, and
/// statements sent by another task in between would run inside it.
final class SerialGate: Sendable {
    private struct State {
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func withHold<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let free = state.withLock { state in
                if state.held {
                    state.waiting.append(waiter)
                    return false
                }
                state.held = true
                return true
            }
            if free { waiter.resume() }
        }
    }

    /// Hands the gate to the longest waiter, still held, so no newcomer slips in between.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.held = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
