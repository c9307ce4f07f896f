import Synchronization

/// Waits for async work at most a given time. A task group racing a timer does not do it: the group
/// waits for every child before it returns, and a PostgresNIO connect or query that is never answered
/// (a server that accepted the connection and then stopped, a query handed to a closed channel) never
/// ends, cancelled or not. Here the work runs as a task of its own, is cancelled at the deadline and
/// left to end whenever it does; what it yields after all goes to `abandoned` (a connection to close).
enum Deadline {
    /// `body`'s value, or nil once `limit` passed first. Cancelling the caller cancels `body` and
    /// throws `CancellationError` at once.
    static func run<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> T,
                                 abandoned: @escaping @Sendable (T) async -> Void = { _ in }) async throws -> T? {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.wait(continuation)
                let work = Task {
                    do {
                        let value = try await body()
                        if !race.finish(.success(value)) { await abandoned(value) }
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                let timer = Task {
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    race.finish(.success(nil))
                }
                race.cancelOnFinish([work, timer])
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// The first outcome wins: it resumes the waiter and cancels both tasks; later ones are refused.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var waiter: CheckedContinuation<T?, any Error>?
            var outcome: Result<T?, any Error>?
            var tasks: [Task<Void, Never>] = []
        }

        private let state = Mutex(State())

        func wait(_ waiter: CheckedContinuation<T?, any Error>) {
            // Cancelled before the continuation existed: answered at once.
            let early = state.withLock { state -> Result<T?, any Error>? in
                if state.outcome == nil { state.waiter = waiter }
                return state.outcome
            }
            if let early { waiter.resume(with: early) }
        }

        func cancelOnFinish(_ tasks: [Task<Void, Never>]) {
            let finished = state.withLock { state -> Bool in
                if state.outcome == nil { state.tasks = tasks }
                return state.outcome != nil
            }
            if finished { tasks.forEach { $0.cancel() } }
        }

        /// False when another outcome came first.
        @discardableResult
        func finish(_ outcome: Result<T?, any Error>) -> Bool {
            let won = state.withLock { state -> (CheckedContinuation<T?, any Error>?, [Task<Void, Never>])? in
                guard state.outcome == nil else { return nil }
                state.outcome = outcome
                defer { (state.waiter, state.tasks) = (nil, []) }
                return (state.waiter, state.tasks)
            }
            guard let (waiter, tasks) = won else { return false }
            waiter?.resume(with: outcome)
            tasks.forEach { $0.cancel() }
            return true
        }
    }
}
