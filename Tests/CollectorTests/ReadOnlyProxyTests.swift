import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The README's read-only socket recipe, run once: HAProxy started from scripts/readonly-docker-proxy.cfg
/// in front of the private engine, the collector behind it. The collector works through it (an idle
/// /events stream outlives the proxy's ordinary timeouts), and the proxy refuses every method but GET
/// and WebSocket attaches before they reach the engine.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct ReadOnlyProxyTests {
    @Test(.timeLimit(.minutes(2))) func theCollectorWorksBehindTheGetOnlyProxyWhichRefusesEverythingElse() async throws {
        let host = try TestEngine.requireHost()
        let engineSocket = try #require(host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : nil,
                                        "the proxy relays to a unix socket: AUDIT_TEST_DOCKER_HOST=\(host)")
        let name = TestEngine.uniqueName("ro-proxy")
        let refused = TestEngine.uniqueName("ro-proxy-post")
        defer {
            TestEngine.removeContainer(name)
            TestEngine.removeContainer(refused)   // only there if the proxy let the POST through
        }
        try await withTemporaryDirectory { dir in
            let socket = dir + "/proxy.sock"
            let config = dir + "/proxy.cfg"
            let proxyLog = dir + "/proxy.log"
            let root = getuid() == 0
            let ownGroup = String(cString: try #require(getgrgid(getgid())).pointee.gr_name)
            // The README's sed for the two paths, plus what a test needs: the socket's group is the test's own
            // (the `audit` group need not exist here), and the ordinary timeouts are cut from 1m to 2s, so that an idle
            // /events stream outliving them shows its own timeout at work. Not root: the user and group lines
            // go (only root can switch to them).
            var sed = ["sed", "-e", "s|@PROXY_SOCKET@|\(socket)|", "-e", "s|@DOCKER_SOCKET@|\(engineSocket)|",
                       "-e", "s|group audit$|group \(ownGroup)|",
                       "-e", "s|timeout client 1m$|timeout client 2s|", "-e", "s|timeout server 1m$|timeout server 2s|"]
            if !root { sed += ["-e", "/^ *user haproxy$/d", "-e", "/^ *group docker$/d"] }
            let text = try await TestEngine.run(sed + [TestEngine.packageRoot + "/scripts/readonly-docker-proxy.cfg"])
            #expect(!text.contains("@PROXY_SOCKET@") && !text.contains("@DOCKER_SOCKET@"), "a placeholder is left: \(text)")
            for line in ["bind \(socket) mode 660 group \(ownGroup)", "server engine \(engineSocket)", "timeout client 2s", "timeout server 2s"] {
                #expect(text.contains(line), "the sed did not produce '\(line)': is the config's line changed?")
            }
            try (text + "\n").write(toFile: config, atomically: true, encoding: .utf8)
            try await TestEngine.run(["haproxy", "-c", "-q", "-f", config])

            // In the foreground (-db: no daemon, no pid file), logging to a file in this folder.
            let proxy = try ChildProcess(["haproxy", "-db", "-f", config], stdout: proxyLog, stderr: proxyLog)
            var proxyStopped = false
            defer {
                if !proxyStopped {
                    proxy.signal(SIGKILL)
                    _ = proxy.waitBlocking()
                }
            }
            func log() -> String { (try? String(contentsOfFile: proxyLog, encoding: .utf8)) ?? "" }
            try await eventually("proxy listening; log: \(proxyLog)") { FileManager.default.fileExists(atPath: socket) }

            // The socket: root's (the test's) and its group's only.
            var info = stat()
            #expect(stat(socket, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o660, "proxy socket mode \(String(info.st_mode & 0o777, radix: 8))")
            #expect(info.st_gid == getgid())
            if root {
                // HAProxy dropped root for the haproxy user, reaching the engine through the docker group only.
                let status = try String(contentsOfFile: "/proc/\(proxy.pid)/status", encoding: .utf8)
                let uid = try #require(getpwnam("haproxy"), "no haproxy user: scripts/install-deps installs the package").pointee.pw_uid
                let gid = try #require(getgrnam("docker")).pointee.gr_gid
                func ids(_ key: String) -> [String] {
                    let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
                    return line.dropFirst(key.count + 1).split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
                }
                #expect(ids("Uid") == Array(repeating: "\(uid)", count: 4), "\(status)")
                #expect(ids("Gid") == Array(repeating: "\(gid)", count: 4), "\(status)")
                #expect(ids("Groups").isEmpty, "haproxy kept supplementary groups: \(status)")
            }

            let db = dir + "/audit.db"
            let collector = try CollectorProcess(dbPath: db, dockerHost: "unix://" + socket, logPath: dir + "/collect.log")
            try await collector.waitUntilLive()
            // Silence longer than the (shortened) ordinary timeouts: the /events stream must stay open.
            try await Task.sleep(for: .seconds(4))
            try await TestEngine.docker("create", "--network", "none", "--name", name, TestEngine.image, "true")
            try await eventually("the create stored; collector log: \(collector.logPath)") {
                try await TestEngine.run([TestEngine.auditBinary, "events", "--db", db, "--since", "1m"]).contains(name)
            }
            #expect(collector.log.components(separatedBy: "streaming live events").count - 1 == 1,
                    "the collector reconnected: the proxy cut the idle stream; log: \(collector.log)\nproxy: \(log())")
            // httplog lines: "... Tq/Tw/Tc/Tr/Ta STATUS BYTES ...": no refusal among the collector's requests.
            #expect(!log().contains(try Regex(#"/-?[0-9]+ 40[35] "#)), "the proxy refused one of the collector's requests: \(log())")

            func status(_ arguments: String...) async throws -> String {
                try await TestEngine.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", socket] + arguments)
            }
            // A GET passes.
            #expect(try await status("http://localhost/v1.41/containers/\(name)/json") == "200")
            // A POST that the engine would answer with a new container is refused, and nothing is created.
            #expect(try await status("-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"Image":"\#(TestEngine.image)","Cmd":["true"]}"#,
                                     "http://localhost/v1.41/containers/create?name=\(refused)") == "405")
            #expect(try await TestEngine.docker("ps", "-aq", "--filter", "name=^/\(refused)$").isEmpty, "the refused POST created a container")
            // A DELETE is refused, and the container is still there.
            #expect(try await status("-X", "DELETE", "http://localhost/v1.41/containers/\(name)?force=1") == "405")
            #expect(try await TestEngine.docker("ps", "-aq", "--filter", "name=^/\(name)$").isEmpty == false, "the refused DELETE removed the container")
            // A GET that upgrades to a WebSocket (attach writes to the container's stdin) is refused.
            #expect(try await status("-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                                     "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                                     "http://localhost/v1.41/containers/\(name)/attach/ws?stdin=1&stream=1") == "403")
            #expect(log().contains(#""POST /v1.41/containers/create?name=\#(refused) HTTP/1.1""#), "the refusal is not logged: \(log())")

            #expect(try await collector.stop() == 0, "\(collector.log)")
            // HAProxy notices a stream its client closed when the engine next writes on it (it does not watch
            // the client's side while a reply is under way): the next event releases it, and it is logged.
            try await TestEngine.docker("rm", name)
            try await eventually("the collector's /events stream released and logged; log: \(proxyLog)") {
                log().contains(#""GET /v1.41/events"#)
            }
            // Stopped, always: here on SIGTERM (else SIGKILL), on any failure above by the defer.
            proxy.signal(SIGTERM)
            let deadline = ContinuousClock.now + .seconds(10)
            var proxyStatus = proxy.exitStatus()
            while proxyStatus == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                proxyStatus = proxy.exitStatus()
            }
            proxyStopped = proxyStatus != nil
            #expect(proxyStopped, "haproxy did not stop within 10 s of SIGTERM; log: \(log())")
        }
    }
}
