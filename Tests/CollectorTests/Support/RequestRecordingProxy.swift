import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Unix-socket proxy in front of the engine that keeps, per connection, the bytes the client sent.
///
/// Why not `socat -v`: with `fork`, every connection's child writes its trace to one shared stderr in
/// small pieces, and under concurrent connections (the event stream beside inspections) request lines
/// come out interleaved with other traffic. Here each connection's relay `tee`s its requests into a
/// file of its own, so every request line stays whole.
struct RequestRecordingProxy {
    let socketPath: String
    private let directory: String
    private let listener: ChildProcess

    init(in directory: String, engineSocket: String) throws {
        self.directory = directory
        socketPath = directory + "/proxy.sock"
        let relay = directory + "/relay.sh"
        // $$ is the relay shell's pid: one file per connection.
        let script = "#!/bin/sh\ntee -a \"\(directory)/requests.$$\" | socat - \"UNIX-CONNECT:\(engineSocket)\"\n"
        try script.write(toFile: relay, atomically: true, encoding: .utf8)
        chmod(relay, 0o755)
        listener = try ChildProcess(["socat", "UNIX-LISTEN:\(socketPath),fork", "EXEC:\(relay)"],
                                    stdout: "/dev/null", stderr: directory + "/proxy.log")
    }

    /// The request lines ("GET /v1.41/events?… HTTP/1.1") of every connection so far.
    func requestLines() throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("requests.") }
        return try files.flatMap { file -> [String] in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
            return String(decoding: bytes, as: UTF8.self)
                .split(separator: "\r\n", omittingEmptySubsequences: true)
                .map(String.init)
                .filter { line in Self.methods.contains { line.hasPrefix($0 + " /") } }
        }
    }

    static let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]

    /// Stops accepting; relays of open connections end when their client closes.
    func stop() {
        listener.signal(SIGKILL)
        _ = listener.waitBlocking()
    }
}
