#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the listener, for what an HTTP client library will not do: stall mid-body,
/// send broken framing, hold a socket open and say nothing.
final class RawConnection {
    private let fd: Int32

    init(port: Int) throws {
        // The descriptor is this object's only once connected: a class whose init throws after its
        // properties are set still runs deinit, and a second close() of a number the listener has just
        // been given crashed NIO (getpeername on a closed fd).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let failure = errno
            close(fd)
            throw Failure(description: "connect: errno \(failure)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// A loopback port nothing listens on now (the kernel's pick for a socket bound to port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// What arrives until the peer closes or `seconds` pass, and whether the peer closed. Polls
    /// without blocking and sleeps between polls: the listener's handlers run on the same small
    /// cooperative pool as the tests, and a blocked test thread would stall the very server it waits for.
    func receive(seconds: Double) async -> (text: String, closed: Bool) {
        var bytes: [UInt8] = []
        let deadline = monotonicSeconds() + seconds
        var buffer = [UInt8](repeating: 0, count: 4096)
        while monotonicSeconds() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (String(decoding: bytes, as: UTF8.self), true) }
            bytes += buffer[0..<n]
        }
        return (String(decoding: bytes, as: UTF8.self), false)
    }

    private func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
