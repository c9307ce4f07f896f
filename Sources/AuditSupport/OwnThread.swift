#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking work (curl_easy_perform, SQLite) on a thread of its own, so it never occupies one of
/// the few threads of Swift's cooperative pool, and bridges the result back to async code.
public enum OwnThread {
    /// Runs `work` on a new thread with the system's default stack and returns its result.
    public static func run<T: Sendable, E: Error>(_ name: String, _ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        // Without a stack size `start` always starts a thread (or traps), so there is always an answer.
        try await run(name, stackBytes: nil, work)!
    }

    /// Runs `work` on a new thread with `stackBytes` of stack (nil: the system's default) and returns
    /// its result; nil, with `work` not run, when no thread with that stack can be started (see `start`).
    /// Deep-nesting tests and benches use it to show a parser fits a small stack: a fallback to the
    /// default stack would hide the very thing they check, so the refusal is the caller's to report.
    public static func run<T: Sendable, E: Error>(
        _ name: String, stackBytes: Int?, _ work: @escaping @Sendable () throws(E) -> T
    ) async throws(E) -> T? {
        let result: Result<T, E>? = await withCheckedContinuation { continuation in
            let started = start(name, stackBytes: stackBytes) {
                do throws(E) { continuation.resume(returning: .success(try work())) }
                catch { continuation.resume(returning: .failure(error)) }
            }
            if !started { continuation.resume(returning: nil) }
        }
        return try result?.get()
    }

    /// Starts `body` on a new detached thread with `stackBytes` of stack (nil: the system's default,
    /// usually 8 MiB on Linux) and answers whether it did.
    ///
    /// Without `stackBytes` the answer is always true: a process out of threads traps. With it, false
    /// means nothing started and `body` never runs: the system refused the size (pthread_attr_setstacksize:
    /// below PTHREAD_STACK_MIN, which glibc puts at 16 KiB on x86_64 and 128 KiB on arm64, or on Darwin
    /// not a whole number of pages) or could not start a thread with it (pthread_create: no memory for
    /// that stack, or out of threads).
    @discardableResult
    public static func start(_ name: String, stackBytes: Int? = nil, _ body: @escaping @Sendable () -> Void) -> Bool {
        final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        // Named, so `top -H` and profilers show which thread is busy (Linux allows 15 characters).
        let named: @Sendable () -> Void = {
            #if os(Linux)
            _ = setThreadName(pthread_self(), String(name.utf8.prefix(15))!)
            #endif
            body()
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackBytes, stackBytes < 0 || pthread_attr_setstacksize(&attributes, stackBytes) != 0 { return false }
        let box = Unmanaged.passRetained(Box(named))
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let rc = pthread_create(&thread, &attributes, { raw in
            #if canImport(Darwin)
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            #else
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            #endif
            box.body()
            return nil
        }, box.toOpaque())
        guard rc == 0 else {
            box.release()
            precondition(stackBytes != nil, "pthread_create failed with \(rc): the process is out of threads")
            return false
        }
        return true
    }
}

#if os(Linux)
// glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does not set; the symbol is plain C.
@_silgen_name("pthread_setname_np")
private func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
#endif
