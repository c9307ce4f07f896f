import Dispatch
import Synchronization

/// Runs async PostgreSQL work to completion from a thread of its own. The findings engine reads its
/// store synchronously (SQLite is a blocking C library); a fleet store answers the same reads over
/// PostgresNIO, so each read waits here. Never call it from the cooperative pool: the engine runs on an
/// `OwnThread` when it reads a fleet store.
enum Blocking {
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        guard let outcome = result.withLock({ $0 }) else {
            throw FleetError(.server, "a fleet read ended without an answer")
        }
        return try outcome.get()
    }
}
