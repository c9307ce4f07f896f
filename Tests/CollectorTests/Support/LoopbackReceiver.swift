import Foundation
import Hummingbird
import Logging
import Synchronization

/// An HTTP receiver on a loopback port that keeps every POST it gets (path, headers, body) and
/// answers 204, or 400 on paths starting `/refuse`, 200 with 100 KB on `/large`, 301 on `/moved`, or
/// nothing for a minute on paths starting `/hang`;
/// it can be stopped and started again on the same port, as a sink that goes down.
final class LoopbackReceiver: Sendable {
    struct Request: Sendable {
        var path: String
        /// Lower-cased names.
        var headers: [String: String]
        var body: [UInt8]
        var receivedAt: ContinuousClock.Instant
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let port: Int
    private let received = Mutex<[Request]>([])
    private let server = Mutex<Task<Void, any Error>?>(nil)

    /// Below Linux's ephemeral range (32768-60999), so no outgoing connection holds the port.
    init() {
        port = Int.random(in: 21_000...31_999)
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { received.withLock { $0 } }

    /// Starts serving and returns once the port accepts connections.
    func start() async throws {
        let router = Router()
        router.post("**") { [self] request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let entry = Request(path: request.uri.path, headers: headers, body: Array(buffer: body), receivedAt: .now)
            self.received.withLock { $0.append(entry) }
            // `/hang…` holds the request for a minute, as a sink that accepts and never answers.
            if entry.path.hasPrefix("/hang") { try? await Task.sleep(for: .seconds(60)) }
            // `/large…` accepts with a 100 KB page; `/moved…` redirects, as an endpoint that moved.
            if entry.path.hasPrefix("/large") { return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 100_000))) }
            if entry.path.hasPrefix("/moved") { return Response(status: .movedPermanently, headers: [.location: "https://example.invalid/hooks"]) }
            // `/refuse…` answers as a sink that rejects the payload itself.
            guard entry.path.hasPrefix("/refuse") else { return Response(status: .noContent) }
            return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "bad payload: unknown field \"finding\"")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              logger: Logger(label: "receiver") { _ in SwiftLogNoOpLogHandler() })
        let task = Task { try await app.run() }
        server.withLock { $0 = task }
        try await eventually("receiver listening on \(port)", timeout: .seconds(10)) {
            (try? TestEngine.runBlockingStatus(["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"])) == 0
        }
    }

    /// Stops serving: connections are refused until `start` again.
    func stop() async {
        guard let task = server.withLock({ t -> Task<Void, any Error>? in defer { t = nil }; return t }) else { return }
        task.cancel()
        _ = try? await task.value
    }
}

/// Prometheus Alertmanager from Debian on a loopback port, with its configuration and storage in
/// `directory`; stopped with `stop()`.
struct AlertmanagerProcess {
    let port: Int
    private let child: ChildProcess

    init(directory: String) async throws {
        port = Int.random(in: 12_000...19_999)
        let config = directory + "/alertmanager.yml"
        try "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        child = try ChildProcess(["prometheus-alertmanager", "--config.file=\(config)", "--storage.path=\(directory)/alertmanager",
                                  "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address="],
                                 stdout: directory + "/alertmanager.log", stderr: directory + "/alertmanager.log")
        let url = "http://127.0.0.1:\(port)/-/ready"
        try await eventually("alertmanager ready on \(port)", timeout: .seconds(20)) {
            (try? TestEngine.runBlockingStatus(["curl", "-sf", "-o", "/dev/null", url])) == 0
        }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// The alerts Alertmanager's API lists now (active ones; a resolved alert is not listed).
    func alerts() async throws -> [[String: Any]] {
        let text = try await TestEngine.run(["curl", "-sf", url + "/api/v2/alerts"])
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
    }

    func stop() {
        child.signal(SIGTERM)
        _ = child.waitBlocking()
    }
}
