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
    public static func run<T: Sendable, E: Error>(_ name: String, _ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            start(name) {
                do throws(E) { continuation.resume(returning: .success(try work())) }
                catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }

    /// Starts `body` on a new detached thread.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        // Named, so `top -H` and profilers show which thread is busy (Linux allows 15 characters).
        let named: @Sendable () -> Void = {
            #if os(Linux)
            _ = setThreadName(pthread_self(), String(name.utf8.prefix(15))!)
            #endif
            body()
        }
        let box = Unmanaged.passRetained(Box(named)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
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
        }, box)
        pthread_attr_destroy(&attributes)
        precondition(rc == 0, "pthread_create failed with \(rc): the process is out of threads")
    }
}

#if os(Linux)
// glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does not set; the symbol is plain C.
@_silgen_name("pthread_setname_np")
private func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
#endif
