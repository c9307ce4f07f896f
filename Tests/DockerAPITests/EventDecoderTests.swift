import Testing
@testable import DockerAPI

@Suite struct EventDecoderTests {
    static let fixtures = String(#filePath).split(separator: "/").dropLast().joined(separator: "/")

    static func capture() throws -> [String] {
        let path = "/" + fixtures + "/Fixtures/engine-20.10-capture.ndjson"
        let text = try #require(readFile(path))
        return text.split(separator: "\n").map(String.init)
    }

    @Test func decodesEveryLineOfARealEngine2010Capture() throws {
        let lines = try Self.capture()
        #expect(lines.count > 40)
        for line in lines {
            guard case .event(let event) = EventDecoder.decode(line) else {
                Issue.record("did not decode: \(line)")
                continue
            }
            #expect(!event.type.isEmpty && !event.action.isEmpty && !event.actorID.isEmpty)
            #expect(event.timeNano > 1_700_000_000_000_000_000)
            #expect(!event.action.contains(":"), "the command must be split off: \(event.action)")
        }
    }

    @Test func splitsExecCommandAndKeepsHealthStatus() throws {
        let events = try Self.capture().compactMap { line -> DockerEvent? in
            if case .event(let e) = EventDecoder.decode(line) { return e }
            return nil
        }
        let exec = try #require(events.first { $0.action == "exec_start" && $0.detail == "echo hi --password=x" })
        #expect(exec.attributes["execID"]?.count == 64)
        #expect(exec.attributes["name"] == "t1")
        #expect(exec.attributes["com.docker.compose.project"] == "shop")
        #expect(exec.fullAction == "exec_start: echo hi --password=x")
        let health = try #require(events.first { $0.action == "health_status" })
        #expect(health.detail == "healthy")
        let rename = try #require(events.first { $0.action == "rename" })
        #expect(rename.attributes["oldName"] == "/t1")
        #expect(events.contains { $0.type == "image" && $0.action == "import" })
        #expect(events.contains { $0.type == "network" && $0.action == "connect" })
    }

    @Test func decodesAPI152EventsWithoutLegacyFields() throws {
        let line = #"{"Type":"container","Action":"exec_create: sh -c date","Actor":{"ID":"abc123","Attributes":{"execID":"e1","image":"busybox","name":"web"}},"scope":"local","time":1795748251,"timeNano":1795748251871336881}"#
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("not decoded"); return }
        #expect(e.type == "container")
        #expect(e.action == "exec_create")
        #expect(e.detail == "sh -c date")
        #expect(e.actorID == "abc123")
        #expect(e.timeNano == 1_795_748_251_871_336_881)
        #expect(e.scope == "local")
    }

    @Test func fallsBackToLegacyFieldsOfOldEngines() throws {
        let line = #"{"status":"start","id":"deadbeef","from":"nginx:1.25","time":1700000000}"#
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("not decoded"); return }
        #expect(e.type == "container")
        #expect(e.action == "start")
        #expect(e.actorID == "deadbeef")
        #expect(e.attributes["image"] == "nginx:1.25")
        #expect(e.timeNano == 1_700_000_000_000_000_000)
    }

    @Test(arguments: [
        ("remove", "destroy"), ("died", "die"), ("exec", "exec_start"), ("exec_died", "exec_die"), ("start", "start"),
    ])
    func acceptsPodmansDialect(podman: String, docker: String) throws {
        let line = #"{"Type":"container","Action":"\#(podman)","Actor":{"ID":"4f1c","Attributes":{"containerExitCode":"0","image":"quay.io/podman/hello:latest","name":"hi","podId":""}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}"#
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("not decoded"); return }
        #expect(e.action == docker)
        #expect(e.attributes["podId"] == "")
        #expect(e.attributes["containerExitCode"] == "0")
    }

    /// Issue 10: podman's image pulls carry an empty `Actor.ID` (and legacy `id`); the reference is
    /// the `name` attribute. Shaped as podman 4's compat API writes them (pkg/api/handlers/compat/events.go).
    @Test func keysPodmansImagePullsByTheReference() throws {
        let line = #"{"status":"pull","id":"","from":"","Type":"image","Action":"pull","Actor":{"ID":"","Attributes":{"containerExitCode":"0","image":"","name":"quay.io/podman/hello:latest","podId":""}},"scope":"local","time":1795748251,"timeNano":1795748251871336881}"#
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("\(EventDecoder.decode(line))"); return }
        #expect(e.type == "image" && e.action == "pull")
        #expect(e.actorID == "quay.io/podman/hello:latest")
        #expect(e.attributes["name"] == "quay.io/podman/hello:latest")
    }

    @Test func storesARealPodmanPull() throws {
        let text = try #require(readFile("/" + Self.fixtures + "/Fixtures/podman-4.3-image-pull.ndjson"))
        let line = try #require(text.split(separator: "\n").first.map(String.init))
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("\(EventDecoder.decode(line))"); return }
        #expect(e.type == "image" && e.action == "pull" && e.actorID == "docker-archive:/tmp/fuzz-podman/img.tar")
    }

    @Test func onlyImageEventsFallBackToTheirName() {
        let line = #"{"Type":"container","Action":"start","Actor":{"ID":"","Attributes":{"name":"web"}},"timeNano":1}"#
        guard case .malformed(let bad) = EventDecoder.decode(line) else { Issue.record("decoded \(line)"); return }
        #expect(bad.reason == "missing field: Actor.ID")
    }

    @Test func keepsUnknownTypesAndActions() throws {
        guard case .event(let e) = EventDecoder.decode(#"{"Type":"builder","Action":"prune","Actor":{"ID":"","Attributes":{"reclaimed":"1024"}},"id":"x","time":1,"timeNano":1000000001,"extra":{"nested":[1,2,{"a":"b"}]}}"#) else {
            Issue.record("not decoded"); return
        }
        #expect(e.type == "builder" && e.action == "prune" && e.actorID == "x")
    }

    @Test func decodesEscapesAndUnicode() throws {
        let line = #"{"Type":"container","Action":"exec_start: sh -c \"echo \\\"hi\\\" \u00e9 \ud83d\ude00\"\ttab","Actor":{"ID":"c","Attributes":{"note":"caf\u00e9 ✓"}},"timeNano":5}"#
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("not decoded"); return }
        #expect(e.detail == "sh -c \"echo \\\"hi\\\" é 😀\"\ttab")
        #expect(e.attributes["note"] == "café ✓")
    }

    @Test(arguments: [
        (#"{"Type":"container","Action":"start""#, "truncated"),
        (#"not json at all"#, "expected '{'"),
        (#"{"Type":"container","Actor":{"ID":"a"},"timeNano":1}"#, "missing field: Action"),
        (#"{"Type":"container","Action":"start","timeNano":1}"#, "missing field: Actor.ID"),
        (#"{"Type":"container","Action":"start","Actor":{"ID":"a"}}"#, "missing field: timeNano"),
        (#"{"Action":"start","Actor":{"ID":"a"},"timeNano":1}"#, "missing field: Type"),
        (#"{"Type":"container","Action":"start","Actor":{"ID":"a"},"timeNano":1} trailing"#, "trailing bytes"),
    ])
    func quarantinesMalformedLinesWithAReason(line: String, reason: String) {
        guard case .malformed(let bad) = EventDecoder.decode(line) else {
            Issue.record("decoded a malformed line: \(line)"); return
        }
        #expect(bad.reason.contains(reason), "reason was: \(bad.reason)")
        #expect(bad.raw == Array(line.utf8))
    }

    /// Issue 9: `time` without `timeNano` was multiplied into nanoseconds unchecked, and one such line
    /// stopped ingest and the live stream. A time outside what nanoseconds hold is a quarantined line.
    @Test(arguments: [
        #"{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{}},"time":9999999999}"#,
        #"{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{}},"time":-9999999999}"#,
        #"{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{}},"time":9.3e18}"#,
        #"{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{}},"timeNano":9223372036854775807}"#,
        #"{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{}},"timeNano":-9223372036854775807}"#,
    ])
    func quarantinesTimesBeyondWhatNanosecondsHold(line: String) {
        guard case .malformed(let bad) = EventDecoder.decode(line) else { Issue.record("decoded \(line)"); return }
        #expect(bad.reason.contains("out of range"), "reason was: \(bad.reason)")
    }

    @Test func acceptsTheLastSecondsBeforeTheRange() throws {
        let line = #"{"Type":"container","Action":"start","Actor":{"ID":"abc"},"time":9214646399}"#
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("not decoded"); return }
        #expect(e.timeNano == 9_214_646_399_000_000_000)
    }

    @Test func rejectsInvalidUTF8() {
        var bytes = Array(#"{"Type":"container","Action":"start","Actor":{"ID":"a","Attributes":{"name":"x"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}},"timeNano":1}"#.utf8)
        guard case .malformed(let bad) = EventDecoder.decode(bytes) else { Issue.record("accepted invalid UTF-8"); return }
        #expect(bad.reason.contains("invalid UTF-8"))
    }
}

func readFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

#if canImport(Glibc)
import Glibc
#endif
