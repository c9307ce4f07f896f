import AuditSupport
import Testing
@testable import Deployments

/// A webhook body is whatever a sender posts: nesting 100,000 levels deep must be refused with a
/// message, not overflow the stack. Each parse runs on a thread with a 256 KiB stack; the recursive
/// parser this replaced needed more than 512 KiB for 256 levels of objects in a debug build.
@Suite struct DeepNestingTests {
    private static let depth = 100_000
    private static let nestedArrays = Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
    private static let nestedObjects = Array(String(repeating: #"{"a":"#, count: depth).utf8) + [UInt8(ascii: "1")]
        + Array(repeating: UInt8(ascii: "}"), count: depth)
    private static let unclosed = Array(repeating: UInt8(ascii: "["), count: 1 << 20)
    private static let refusal = DeploymentInputError.malformedJSON("nested deeper than 256 levels")

    /// What each webhook parser says about `body`, parsed on a thread with a 256 KiB stack.
    private static func errors(_ body: [UInt8]) async throws -> [DeploymentInputError?] {
        try await onSmallStack { () -> [DeploymentInputError?] in
            var found: [DeploymentInputError?] = []
            do throws(DeploymentInputError) { _ = try DeploymentRecord.parseWire(body, defaultSource: .webhook); found.append(nil) } catch { found.append(error) }
            for event in ["deployment", "deployment_status"] {
                do throws(DeploymentInputError) { _ = try GitHubDeploymentPayload.map(event: event, body: body); found.append(nil) } catch { found.append(error) }
            }
            do throws(DeploymentInputError) { _ = try GitLabDeploymentHook.map(body: body); found.append(nil) } catch { found.append(error) }
            return found
        }
    }

    @Test func nestedArraysAreRefused() async throws {
        #expect(try await Self.errors(Self.nestedArrays) == Array(repeating: Self.refusal, count: 4))
        #expect(Self.refusal.description == "malformed JSON: nested deeper than 256 levels")
    }

    @Test func nestedObjectsAreRefused() async throws {
        #expect(try await Self.errors(Self.nestedObjects) == Array(repeating: Self.refusal, count: 4))
    }

    @Test func aMebibyteOfOpenBracketsIsRefused() async throws {
        #expect(try await Self.errors(Self.unclosed) == Array(repeating: Self.refusal, count: 4))
    }

    /// Deep nesting inside a field: the limit is the document's, wherever the nesting starts.
    @Test func deepNestingInsideAFieldIsRefused() async throws {
        let wire = Array(#"{"id":"d1","status":"in_progress","started_at":"2024-05-01T10:00:00Z","note":"#.utf8) + Self.nestedObjects + [UInt8(ascii: "}")]
        let github = Array(#"{"deployment":{"id":1,"created_at":"2024-05-01T10:00:00Z","payload":"#.utf8) + Self.nestedArrays + Array("}}".utf8)
        let gitlab = Array(#"{"object_kind":"deployment","project":"#.utf8) + Self.nestedArrays + [UInt8(ascii: "}")]
        #expect(try await onSmallStack { () -> [DeploymentInputError?] in
            var found: [DeploymentInputError?] = []
            do throws(DeploymentInputError) { _ = try DeploymentRecord.parseWire(wire, defaultSource: .webhook); found.append(nil) } catch { found.append(error) }
            do throws(DeploymentInputError) { _ = try GitHubDeploymentPayload.map(event: "deployment", body: github); found.append(nil) } catch { found.append(error) }
            do throws(DeploymentInputError) { _ = try GitLabDeploymentHook.map(body: gitlab); found.append(nil) } catch { found.append(error) }
            return found
        } == Array(repeating: Self.refusal, count: 3))
    }

    /// GitHub's `payload` may be a string holding JSON; deep nesting in it is not ours, like any other
    /// string that is not an object, and the delivery still maps.
    @Test func deepNestingInAPayloadStringIsIgnored() async throws {
        let body = Array(#"{"deployment":{"id":1,"created_at":"2024-05-01T10:00:00Z","payload":""#.utf8) + Self.nestedArrays + Array(#""}}"#.utf8)
        let outcome = try await onSmallStack { () -> Result<DeploymentWebhookOutcome, DeploymentInputError> in
            do throws(DeploymentInputError) { return .success(try GitHubDeploymentPayload.map(event: "deployment", body: body)) } catch { return .failure(error) }
        }
        guard case .success(.record(let record)) = outcome else { Issue.record("expected a record, got \(outcome)"); return }
        #expect(record.id == "github-deployment-1")
        #expect(record.project == nil)
    }

    /// The limit itself: 256 levels parse, 257 do not; the deepest accepted document is also freed
    /// (recursively) without overflowing the small stack.
    @Test func theLimitIs256Levels() async throws {
        func nested(_ levels: Int) -> [UInt8] {
            Array(repeating: UInt8(ascii: "["), count: levels) + Array(repeating: UInt8(ascii: "]"), count: levels)
        }
        let bodies = [nested(256), nested(257)]
        let results = try await onSmallStack { () -> [DeploymentInputError?] in
            bodies.map { body in
                do throws(DeploymentInputError) { _ = try JSONValue.parse(body); return nil } catch { return error }
            }
        }
        #expect(results == [nil, Self.refusal])
    }
}

/// `work`'s result from a thread with a 256 KiB stack; a system that refuses that size fails the test
/// rather than parse on a bigger stack, which would prove nothing.
private func onSmallStack<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
    try #require(await OwnThread.run("deep-nesting", stackBytes: 256 * 1024, work), "no thread with a 256 KiB stack")
}
