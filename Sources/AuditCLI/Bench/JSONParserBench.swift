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
///     echo 'JSONParserBench.main()' > $d/main.swift
///     swiftc $o Sources/AuditCLI/Bench/JSONParserBench.swift $d/main.swift -o $d/bench \
///       -lDeployments -lAuditSupport -lCrypto && $d/bench 10000 512
///
/// (`bench ITERATIONS STACK_KIB`; Tests/Fuzz/Stubs/Crypto.swift stands in for swift-crypto, as in
/// scripts/fuzz, and only the signature code uses it.)
enum JSONParserBench {
    /// The standalone build's entry point: `bench [ITERATIONS [STACK_KIB]]`.
    static func main() {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        do {
            try run(iterations: arguments.first ?? 10_000, stackKiB: arguments.dropFirst().first ?? 512) { print($0) }
        } catch {
            print("bench failed: \(error)")
            exit(1)
        }
    }

    static func run(iterations: Int, stackKiB: Int, emit: (String) -> Void) throws {
        let github = Array(githubDeploymentStatus.utf8)
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
                let result = onThread(stackBytes: stackKiB * 1024) { parse(body) }
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

    /// Runs `work` on a new thread with `stackBytes` of stack and waits for its answer.
    private static func onThread(stackBytes: Int, _ work: @escaping @Sendable () -> String) -> String {
        final class Job: @unchecked Sendable {
            let work: @Sendable () -> String
            var result = ""
            init(_ work: @escaping @Sendable () -> String) { self.work = work }
        }
        let job = Job(work)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setstacksize(&attributes, stackBytes) == 0 else { return "(cannot set a \(stackBytes)-byte stack)" }
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let started = pthread_create(&thread, &attributes, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeUnretainedValue()
            job.result = job.work()
            return nil
        }, Unmanaged.passUnretained(job).toOpaque())
        guard started == 0 else { return "(cannot start a thread: \(started))" }
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        pthread_join(thread!, nil)
        #endif
        return withExtendedLifetime(job) { job.result }
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Tests/DeploymentsTests/Fixtures/github-deployment-status-success.json, as GitHub sends it.
    static let githubDeploymentStatus = #"""
        {
          "action": "created",
          "deployment_status": {
            "url": "https://api.github.com/repos/acme/shop/deployments/1234567890/statuses/9876543210",
            "id": 9876543299,
            "node_id": "DES_kwDOAbCdEs4AAAACTF0Eig",
            "state": "success",
            "creator": {
              "login": "github-actions[bot]",
              "id": 41898282,
              "type": "Bot"
            },
            "description": "Deployment finished successfully.",
            "environment": "production",
            "target_url": "https://github.com/acme/shop/actions/runs/8912345678",
            "created_at": "2024-05-01T10:04:41Z",
            "updated_at": "2024-05-01T10:04:42Z",
            "deployment_url": "https://api.github.com/repos/acme/shop/deployments/1234567890",
            "repository_url": "https://api.github.com/repos/acme/shop",
            "environment_url": "https://shop.example.com",
            "log_url": "https://github.com/acme/shop/actions/runs/8912345678/job/24512345678"
          },
          "deployment": {
            "url": "https://api.github.com/repos/acme/shop/deployments/1234567890",
            "id": 1234567890,
            "node_id": "DE_kwDOAbCdEs5JlAHS",
            "task": "deploy",
            "original_environment": "production",
            "environment": "production",
            "description": null,
            "created_at": "2024-05-01T10:00:01Z",
            "updated_at": "2024-05-01T10:04:42Z",
            "statuses_url": "https://api.github.com/repos/acme/shop/deployments/1234567890/statuses",
            "repository_url": "https://api.github.com/repos/acme/shop",
            "creator": {
              "login": "jane-doe",
              "id": 1024025,
              "type": "User"
            },
            "sha": "279484c09fbe69ededfced8c1bb6e6d24616b468",
            "ref": "main",
            "payload": "{\"project\": \"shop\", \"host\": \"prod-docker-1\"}",
            "transient_environment": false,
            "production_environment": true,
            "performed_via_github_app": null
          },
          "repository": {
            "id": 123456789,
            "name": "shop",
            "full_name": "acme/shop",
            "private": true
          },
          "organization": {
            "login": "acme",
            "id": 7654321
          },
          "sender": {
            "login": "jane-doe",
            "id": 1024025,
            "type": "User"
          }
        }
        """#

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
