import AuditSupport
import Deployments
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `audit bench json` measures: Deployments' own JSON parser (`JSONValue`, behind
/// `DeploymentRecord.parseWire` and `GitHubDeploymentPayload.map`) against `JSONDecoder` with
/// `Decodable` structs mapped to the same records, on a GitHub `deployment_status` delivery and a
/// `/v1/deployments` body; then 100,000-deep nesting through each, on a thread with a small stack.
///
/// Nothing here needs ArgumentParser, so the file also compiles on its own with `swiftc -O` against
/// Deployments built the same way, for optimized figures without a release build of the package
/// (a debug `audit bench json` times unoptimized Deployments against an optimized JSONDecoder).
/// From the package root (about a minute on two cores; prints the same report):
///
///     d=/tmp/audit-json-bench; mkdir -p $d; o="-O -swift-version 6 -I $d -L $d"
///     m() { n=$1; shift; swiftc $o -parse-as-library -emit-library -static -module-name $n \
///       -emit-module -emit-module-path $d/$n.swiftmodule -o $d/lib$n.a "$@"; }
///     m Crypto Tests/Fuzz/Stubs/Crypto.swift && m AuditSupport Sources/AuditSupport/*.swift
///     m Deployments Sources/Deployments/*.swift -lAuditSupport -lCrypto
///     echo 'await JSONParserBench.main()' > $d/main.swift
///     swiftc $o Sources/AuditCLI/Bench/JSONParserBench.swift $d/main.swift -o $d/bench \
///       -lDeployments -lAuditSupport -lCrypto && $d/bench 10000 512
///
/// (`bench [ITERATIONS [STACK_KIB [GITHUB_BODY]]]`, defaults 10000, 512 and `defaultGitHubBody`;
/// Tests/Fuzz/Stubs/Crypto.swift stands in for swift-crypto, as in scripts/fuzz, and only the
/// signature code uses it.)
enum JSONParserBench {
    /// The GitHub `deployment_status` delivery timed by default, relative to the package root: the
    /// tests' fixture, read rather than copied here, so there is one copy of it.
    static let defaultGitHubBody = "Tests/DeploymentsTests/Fixtures/github-deployment-status-success.json"

    /// The standalone build's entry point: `bench [ITERATIONS [STACK_KIB [GITHUB_BODY]]]`.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let iterations = arguments.count > 0 ? Int(arguments[0]) : 10_000
        let stackKiB = arguments.count > 1 ? Int(arguments[1]) : 512
        let path = arguments.count > 2 ? arguments[2] : defaultGitHubBody
        guard let iterations, iterations >= 1, let stackKiB, (minimumStackKiB...maximumStackKiB).contains(stackKiB) else {
            print("usage: bench [ITERATIONS (at least 1) [STACK_KIB (\(minimumStackKiB) to \(maximumStackKiB)) [GITHUB_BODY]]]")
            exit(2)
        }
        do {
            let github = try contents(of: path)
            try await run(iterations: iterations, stackKiB: stackKiB, github: github) { print($0) }
        } catch {
            print("bench failed: \(error)")
            exit(1)
        }
    }

    /// The smallest stack, in KiB, for the deep-nesting rows: glibc on x86_64 and Darwin on arm64
    /// refuse a thread anything less (PTHREAD_STACK_MIN), and where less is allowed it measures the
    /// thread's own needs rather than the parsers'. (Some refuse more: glibc on arm64 anything under
    /// 128 KiB, Darwin sizes that are not whole pages; the rows then say so.)
    static let minimumStackKiB = 16
    /// The largest, 1 GiB: far past anything the rows need, and KiB × 1024 cannot overflow.
    static let maximumStackKiB = 1 << 20

    /// `github` is the GitHub `deployment_status` delivery to time (the contents of `defaultGitHubBody`
    /// unless the caller chose another).
    static func run(iterations: Int, stackKiB: Int, github: [UInt8], emit: (String) -> Void) async throws {
        guard iterations >= 1 else { throw BenchFailure("iterations must be at least 1, not \(iterations)") }
        guard (minimumStackKiB...maximumStackKiB).contains(stackKiB) else {
            throw BenchFailure("the stack must be \(minimumStackKiB) to \(maximumStackKiB) KiB, not \(stackKiB)")
        }
        let wire = Array(wireRecord.utf8)
        let decoder = JSONDecoder()

        // Both ways must read the same records, or the figures compare different work.
        guard case .record(let handGitHub) = try GitHubDeploymentPayload.map(event: "deployment_status", body: github) else {
            throw BenchFailure("the GitHub body maps to no record")
        }
        let decodedGitHub = try DecodedGitHubEvent.record(event: "deployment_status", body: github, decoder: decoder)
        guard handGitHub == decodedGitHub else { throw BenchFailure("the GitHub body maps differently:\n\(handGitHub)\n\(decodedGitHub)") }
        let handWire = try DeploymentRecord.parseWire(wire, defaultSource: .webhook)
        let decodedWire = try decoder.decode(DeploymentRecord.self, from: Data(wire))
        guard handWire == decodedWire else { throw BenchFailure("the wire body reads differently:\n\(handWire)\n\(decodedWire)") }

        var sink = 0
        let rows: [(String, Int, () throws -> DeploymentRecord)] = [
            ("GitHub deployment_status, JSONValue  ", github.count, {
                guard case .record(let r) = try GitHubDeploymentPayload.map(event: "deployment_status", body: github) else { throw BenchFailure("no record") }
                return r
            }),
            ("GitHub deployment_status, JSONDecoder", github.count, {
                try DecodedGitHubEvent.record(event: "deployment_status", body: github, decoder: decoder)
            }),
            ("/v1/deployments record,   JSONValue  ", wire.count, { try DeploymentRecord.parseWire(wire, defaultSource: .webhook) }),
            ("/v1/deployments record,   JSONDecoder", wire.count, { try decoder.decode(DeploymentRecord.self, from: Data(wire)) }),
        ]
        emit("parse + map, \(iterations) bodies each, after \(iterations / 10) to warm up:")
        for (label, size, parse) in rows {
            for _ in 0..<(iterations / 10) { sink &+= try parse().id.utf8.count }
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<iterations { sink &+= try parse().id.utf8.count }
            let elapsed = clock.now - start
            let microseconds = (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(iterations)
            emit("  \(label)  \(size) bytes  \(format(microseconds)) µs per body")
        }

        emit("100,000-deep nesting, each parse on a thread with a \(stackKiB) KiB stack (a crash here is a stack overflow):")
        let open100k = 100_000
        let shapes: [(String, [UInt8])] = [
            ("[[[…]]]", Array(repeating: UInt8(ascii: "["), count: open100k) + Array(repeating: UInt8(ascii: "]"), count: open100k)),
            (#"{"a":{"a":…}}"#, Array(String(repeating: #"{"a":"#, count: open100k).utf8) + [UInt8(ascii: "1")]
                + Array(repeating: UInt8(ascii: "}"), count: open100k)),
            ("1 MiB of [", Array(repeating: UInt8(ascii: "["), count: 1 << 20)),
        ]
        let parsers: [(String, @Sendable ([UInt8]) -> String)] = [
            ("DeploymentRecord.parseWire", { body in
                do throws(DeploymentInputError) { _ = try DeploymentRecord.parseWire(body, defaultSource: .webhook); return "accepted" } catch { return error.description }
            }),
            ("GitHubDeploymentPayload.map", { body in
                do throws(DeploymentInputError) { _ = try GitHubDeploymentPayload.map(event: "deployment_status", body: body); return "accepted" } catch { return error.description }
            }),
            ("GitLabDeploymentHook.map", { body in
                do throws(DeploymentInputError) { _ = try GitLabDeploymentHook.map(body: body); return "accepted" } catch { return error.description }
            }),
            ("JSONDecoder", { body in
                do { _ = try JSONDecoder().decode(DeploymentRecord.self, from: Data(body)); return "accepted" } catch { return "\(error)" }
            }),
        ]
        for (shape, body) in shapes {
            for (name, parse) in parsers {
                let result = await OwnThread.run("bench-json-deep", stackBytes: stackKiB * 1024) { parse(body) }
                    ?? "(not run: the system would not start a thread with a \(stackKiB) KiB stack)"
                emit("  \(shape.padded(to: 14)) \(name.padded(to: 28)) \(result)")
            }
        }
        emit("(checksum \(sink))")
    }

    private static func format(_ v: Double) -> String {
        let hundredths = Int((v * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The bytes of the file at `path`; the error is the system's reason (strerror) it cannot be read.
    static func contents(of path: String) throws(BenchFailure) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchFailure("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                throw BenchFailure("\(path): \(String(cString: strerror(errno)))")
            }
            bytes.append(contentsOf: chunk[..<n])
        }
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A finished deployment as a CI job posts it to `/v1/deployments`, with commands and steps.
    static let wireRecord = #"""
        {"id":"deploy-42","source":"cli","environment":"production","host":"prod-docker-1","project":"shop",\#
        "services":["api","worker"],"images":{"api":"ghcr.io/acme/shop-api@sha256:3f1c3a8e0e9c5d1b7f3a2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",\#
        "worker":"ghcr.io/acme/shop-worker:1.4.2"},"commit":"279484c09fbe69ededfced8c1bb6e6d24616b468","ref":"main","actor":"jane",\#
        "url":"https://ci.example.com/acme/shop/-/jobs/796","status":"success","started_at":"2024-05-01T10:00:00.123456789Z",\#
        "finished_at":"2024-05-01T10:04:00Z","touched":["shop-api-1","shop-worker-1"],\#
        "commands":["docker compose pull","docker compose up -d"],\#
        "steps":[{"command":"docker compose pull","started_at":"2024-05-01T10:00:00.123456789Z","finished_at":"2024-05-01T10:00:24Z"},\#
        {"command":"docker compose up -d","started_at":"2024-05-01T10:00:24Z","finished_at":"2024-05-01T10:04:00Z","touched":["shop-api-1","shop-worker-1"]}],\#
        "note":"deployed by the release job"}
        """#
}

/// GitHub's `deployment` and `deployment_status` events as `Decodable` structs, mapped the way
/// `GitHubDeploymentPayload.map` maps them: what replacing `JSONValue` with `JSONDecoder` would look
/// like. Bench only; the errors are `DecodingError`s, not the field-naming `DeploymentInputError`s.
private struct DecodedGitHubEvent: Decodable {
    struct User: Decodable { var login: String? }

    struct Repository: Decodable {
        var fullName: String?
        enum CodingKeys: String, CodingKey { case fullName = "full_name" }
    }

    /// A number (exact through UInt64 or Int64) or a string.
    struct ID: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(UInt64.self) { text = String(n) } else if let n = try? c.decode(Int64.self) { text = String(n) } else { text = try c.decode(String.self) }
        }
    }

    struct Payload: Decodable {
        var project, host: String?
        var services: [String]?
        var images: [String: String]?
    }

    /// An object, or a string holding one; anything else is not ours.
    struct PayloadField: Decodable {
        var payload: Payload?
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let text = try? c.decode(String.self) {
                payload = try? JSONDecoder().decode(Payload.self, from: Data(text.utf8))
            } else {
                payload = try? c.decode(Payload.self)
            }
        }
    }

    struct Deployment: Decodable {
        var id: ID
        var createdAt: String
        var environment, sha, ref: String?
        var creator: User?
        var payload: PayloadField?
        enum CodingKeys: String, CodingKey {
            case id, environment, sha, ref, creator, payload
            case createdAt = "created_at"
        }
    }

    struct Status: Decodable {
        var state, environment, logURL, targetURL, createdAt, updatedAt: String?
        var creator: User?
        enum CodingKeys: String, CodingKey {
            case state, environment, creator
            case logURL = "log_url"
            case targetURL = "target_url"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }
    }

    var deployment: Deployment
    var deploymentStatus: Status?
    var repository: Repository?
    var sender: User?
    enum CodingKeys: String, CodingKey {
        case deployment, repository, sender
        case deploymentStatus = "deployment_status"
    }

    static func record(event: String, body: [UInt8], decoder: JSONDecoder) throws -> DeploymentRecord {
        let e = try decoder.decode(Self.self, from: Data(body))
        func time(_ text: String?, _ name: String) throws -> Timestamp {
            guard let text = text.nonEmpty, let t = RFC3339.parse(text) else { throw JSONParserBench.BenchFailure("bad \(name)") }
            return t
        }
        let createdAt = try time(e.deployment.createdAt, "deployment.created_at")
        let payload = e.deployment.payload?.payload
        var record = DeploymentRecord(
            id: "github-deployment-\(e.deployment.id.text)", source: .github, environment: e.deployment.environment.nonEmpty,
            host: payload?.host.nonEmpty, project: payload?.project.nonEmpty ?? e.repository?.fullName.flatMap(projectName),
            services: payload?.services, images: payload?.images, commit: e.deployment.sha.nonEmpty, ref: e.deployment.ref.nonEmpty,
            actor: e.deployment.creator?.login.nonEmpty ?? e.sender?.login.nonEmpty, status: .inProgress, startedAt: createdAt
        )
        guard event == "deployment_status" else { return record }
        guard let status = e.deploymentStatus, let state = status.state.nonEmpty else { throw JSONParserBench.BenchFailure("no state") }
        switch state {
        case "queued", "pending", "in_progress": record.status = .inProgress
        case "success": record.status = .success
        case "failure", "error": record.status = .failure
        case "inactive": record.status = .cancelled
        default: throw JSONParserBench.BenchFailure("state \(state)")
        }
        record.environment = record.environment ?? status.environment.nonEmpty
        record.actor = status.creator?.login.nonEmpty ?? record.actor
        record.url = status.logURL.nonEmpty ?? status.targetURL.nonEmpty
        if state == "inactive" { record.note = "github marked the deployment inactive" }
        if record.status.isFinal {
            let closedAt = status.updatedAt != nil ? try time(status.updatedAt, "updated_at") : try time(status.createdAt, "created_at")
            record.finishedAt = max(closedAt, createdAt)
        }
        return record
    }

    /// Deployments' `ComposeProjectName.fromRepository`, which is internal to it.
    private static func projectName(_ path: String) -> String? {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let kept = base.lowercased().unicodeScalars.filter { s in ("a"..."z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-" }
        let name = String(String.UnicodeScalarView(kept)).drop { $0 == "_" || $0 == "-" }
        return name.isEmpty ? nil : String(name)
    }
}

private extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let s = self, !s.isEmpty else { return nil }
        return s
    }
}

private extension String {
    func padded(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
