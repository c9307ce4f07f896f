import AuditSupport
import Foundation
import Testing
@testable import Deployments

@Suite struct DeploymentRecordTests {
    private func parse(_ json: String, source: DeploymentRecord.Source = .webhook) throws(DeploymentInputError) -> DeploymentRecord {
        try DeploymentRecord.parseWire(Array(json.utf8), defaultSource: source)
    }

    private func error(_ json: String) -> String? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func parsesEveryField() throws {
        let record = try parse("""
            {"id":"deploy-42","source":"cli","environment":"production","host":"prod-docker-1","project":"shop",
             "services":["api","worker"],"images":{"api":"ghcr.io/acme/shop-api@sha256:abc"},"commit":"279484c0",
             "ref":"main","actor":"jane","url":"https://ci.example.com/42","status":"success",
             "started_at":"2024-05-01T10:00:00.123456789Z","finished_at":"2024-05-01T12:04:00+02:00",
             "touched":["shop-api-1"],"note":"by hand","unknown":{"ignored":true}}
            """)
        #expect(record == DeploymentRecord(
            id: "deploy-42", source: .cli, environment: "production", host: "prod-docker-1", project: "shop",
            services: ["api", "worker"], images: ["api": "ghcr.io/acme/shop-api@sha256:abc"], commit: "279484c0",
            ref: "main", actor: "jane", url: "https://ci.example.com/42", status: .success,
            startedAt: RFC3339.parse("2024-05-01T10:00:00.123456789Z")!, finishedAt: RFC3339.parse("2024-05-01T10:04:00Z")!,
            touched: ["shop-api-1"], note: "by hand"
        ))
    }

    /// A sender may list the commands it ran and the steps with their windows; it cannot say when we
    /// received the record.
    @Test func commandsAndStepsOnTheWireButNeverTheReceivedTime() throws {
        let json = """
            {"id":"d9","status":"success","started_at":"2024-05-01T10:00:00Z","finished_at":"2024-05-01T10:01:00Z",
             "commands":["docker compose up -d","./migrate.sh"],
             "steps":[{"command":"docker compose pull","started_at":"2024-05-01T10:00:00Z","finished_at":"2024-05-01T10:00:24Z"},
                      {"command":"docker compose up -d","started_at":"2024-05-01T10:00:24Z","touched":[]}],
             "received_at":"2020-01-01T00:00:00Z"}
            """
        let record = try parse(json)
        #expect(record.commands == ["docker compose up -d", "./migrate.sh"])
        #expect(record.steps == [
            .init(command: "docker compose pull", startedAt: RFC3339.parse("2024-05-01T10:00:00Z")!, finishedAt: RFC3339.parse("2024-05-01T10:00:24Z")!),
            .init(command: "docker compose up -d", startedAt: RFC3339.parse("2024-05-01T10:00:24Z")!, touched: []),
        ])
        #expect(record.receivedAt == nil)
        #expect(try parse(record.wireJSON()) == record)
        #expect(error(#"{"id":"d","status":"in_progress","started_at":"2024-05-01T10:00:00Z","steps":[{"started_at":"2024-05-01T10:00:00Z"}]}"#)
            == "missing field: steps[0].command")
    }

    @Test func readableIDs() {
        let id = DeploymentRecord.readableID(source: .cli, at: RFC3339.parse("2026-12-01T22:04:24.731Z")!)
        #expect(id.hasPrefix("cli-20261201T220424Z-"))
        #expect(id.count == "cli-20261201T220424Z-3f2a".count)
        #expect(id.suffix(4).allSatisfy { $0.isHexDigit })
    }

    @Test func defaultsTheSourceAndTreatsEmptyStringsAsAbsent() throws {
        let record = try parse(#"{"id":"d1","status":"in_progress","started_at":"2024-05-01T10:00:00Z","commit":"","host":null}"#, source: .gitlab)
        #expect(record.source == .gitlab)
        #expect(record.commit == nil)
        #expect(record.host == nil)
        #expect(record.finishedAt == nil)
    }

    @Test func namesMissingFields() {
        #expect(error(#"{"status":"success"}"#) == "missing field: id")
        #expect(error(#"{"id":"d1","started_at":"2024-05-01T10:00:00Z"}"#) == "missing field: status")
        #expect(error(#"{"id":"d1","status":"in_progress"}"#) == "missing field: started_at")
        #expect(error(#"{"id":"d1","status":"in_progress","started_at":""}"#) == "missing field: started_at")
        #expect(error(#"{"id":"d1","status":"success","started_at":"2024-05-01T10:00:00Z"}"#)
            == "missing field: finished_at (required once status is success)")
        #expect(error(#"{"id":"d1","status":"cancelled","started_at":"2024-05-01T10:00:00Z"}"#)
            == "missing field: finished_at (required once status is cancelled)")
    }

    @Test func namesInvalidFields() {
        #expect(error(#"{"id":"d1","status":"done","started_at":"2024-05-01T10:00:00Z"}"#)
            == #"invalid field status: "done" (use in_progress, success, failure or cancelled)"#)
        #expect(error(#"{"id":"d1","status":"in_progress","started_at":"yesterday"}"#)
            == "invalid field started_at: not an RFC 3339 time")
        #expect(error(#"{"id":"d1","status":"success","started_at":"2024-05-01T10:00:00Z","finished_at":"2024-05-01T09:00:00Z"}"#)
            == "invalid field finished_at: before started_at")
        #expect(error(#"{"id":"d1","source":"jenkins","status":"in_progress","started_at":"2024-05-01T10:00:00Z"}"#)
            == #"invalid field source: "jenkins" (use webhook, github, gitlab, cli or log-import)"#)
        #expect(error(#"{"id":42,"status":"in_progress","started_at":"2024-05-01T10:00:00Z"}"#)
            == "invalid field id: expected a string, found a number")
        #expect(error(#"{"id":"d1","status":"in_progress","started_at":"2024-05-01T10:00:00Z","services":"api"}"#)
            == "invalid field services: expected an array of strings, found a string")
        #expect(error(#"{"id":"d1","status":"in_progress","started_at":"2024-05-01T10:00:00Z","images":{"api":1}}"#)
            == "invalid field images.api: expected a string, found a number")
    }

    @Test func reportsMalformedJSON() {
        #expect(error("") == "malformed JSON: empty body")
        #expect(error(#"{"id":"d1","status":}"#) == "malformed JSON: unexpected '}' at byte 20")
        #expect(error(#"{"id":"d1""#) == "malformed JSON: expected ',' or '}', found the end of input")
        #expect(error(#"{"id":"d1} "#) == "malformed JSON: unterminated string")
        #expect(error("[1,2]") == "malformed JSON: expected an object, found an array")
        #expect(error(#"{"a":1} x"#) == "malformed JSON: unexpected 'x' after the value at byte 8")
        #expect(error(String(repeating: "[", count: 300)) == "malformed JSON: nested deeper than 256 levels")
    }

    /// Bad bytes are refused, not replaced: two different ids must not read as the same text.
    @Test func refusesInvalidUTF8InStrings() throws {
        let body: [UInt8] = Array(#"{"id":"d"#.utf8) + [0xFF] + Array(#"","status":"in_progress","started_at":"2024-05-01T10:00:00Z"}"#.utf8)
        #expect(throws: DeploymentInputError.malformedJSON("invalid UTF-8 in a string at byte 8")) {
            try DeploymentRecord.parseWire(body, defaultSource: .webhook)
        }
        // After an escape, and a sequence cut short before the closing quote.
        #expect(throws: DeploymentInputError.malformedJSON("invalid UTF-8 in a string at byte 8")) {
            try JSONValue.parse(Array(#"{"s":"\né"#.utf8.dropLast()) + Array(#""}"#.utf8))
        }
        #expect(try JSONValue.parse(Array(#"{"s":"\nébc"}"#.utf8))["s"]?.string == "\nébc")
    }

    /// A record is text: an escaped NUL is refused with where it is (PostgreSQL's text cannot hold it).
    @Test func aNULInAStringIsRefused() {
        #expect(throws: DeploymentInputError.malformedJSON("a string holds NUL (\\u0000) at byte 8")) {
            try JSONValue.parse(Array(#"{"id":"a\u0000b"}"#.utf8))
        }
    }

    @Test func decodesStringEscapes() throws {
        let value = try JSONValue.parse(Array(#"{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude80"}"#.utf8))
        #expect(value["s"]?.string == "a\"b\\c/d\né🚀")
        #expect(try JSONValue.parse(Array("12345678901234567890".utf8)) == .number("12345678901234567890"))
    }

    @Test func wireJSONRoundTripsWithNanoseconds() throws {
        let record = DeploymentRecord(
            id: "deploy-\"quoted\"", source: .logImport, project: "shop", services: ["api"],
            images: ["worker": "w:2", "api": "a:1"], status: .failure,
            startedAt: Timestamp(nanoseconds: 1_714_557_600_123_456_789), finishedAt: Timestamp(nanoseconds: 1_714_557_700_000_000_001),
            touched: ["shop-api-1"], note: "line one\nline two"
        )
        let json = record.wireJSON()
        #expect(json == #"{"id":"deploy-\"quoted\"","source":"log-import","project":"shop","services":["api"],"#
            + #""images":{"api":"a:1","worker":"w:2"},"status":"failure","started_at":"2024-05-01T10:00:00.123456789Z","#
            + #""finished_at":"2024-05-01T10:01:40.000000001Z","touched":["shop-api-1"],"note":"line one\nline two"}"#)
        #expect(try parse(json) == record)
    }

    @Test func codableUsesTheWireKeys() throws {
        let record = DeploymentRecord(
            id: "d1", source: .github, environment: "production", status: .success,
            startedAt: Timestamp(seconds: 1_714_557_600), finishedAt: Timestamp(nanoseconds: 1_714_557_660_000_000_500)
        )
        let data = try JSONEncoder().encode(record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["started_at"] as? String == "2024-05-01T10:00:00.000000000Z")
        #expect(object["finished_at"] as? String == "2024-05-01T10:01:00.000000500Z")
        #expect(try JSONDecoder().decode(DeploymentRecord.self, from: data) == record)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(DeploymentRecord.self, from: Data(#"{"id":"d1","status":"success","started_at":"2024-05-01T10:00:00Z"}"#.utf8))
        }
    }

    @Test func mergeMovesStatusForwardAndKeepsTheEarliestStart() throws {
        let start = DeploymentRecord(
            id: "d1", source: .webhook, environment: "production", commit: "abc", status: .inProgress,
            startedAt: Timestamp(seconds: 100)
        )
        let finish = DeploymentRecord(
            id: "d1", source: .webhook, url: "https://ci/1", status: .success,
            startedAt: Timestamp(seconds: 130), finishedAt: Timestamp(seconds: 200), touched: ["shop-api-1"]
        )
        let merged = try start.merged(with: finish)
        #expect(merged.status == .success)
        #expect(merged.startedAt == Timestamp(seconds: 100))
        #expect(merged.finishedAt == Timestamp(seconds: 200))
        #expect(merged.environment == "production")
        #expect(merged.commit == "abc")
        #expect(merged.url == "https://ci/1")
        #expect(merged.touched == ["shop-api-1"])

        // A start delivered late does not reopen a finished deployment.
        let late = try merged.merged(with: start)
        #expect(late.status == .success)
        #expect(late.finishedAt == Timestamp(seconds: 200))

        // GitHub's later `inactive` (cancelled) keeps the earlier result and its finish time.
        var superseded = finish
        superseded.status = .cancelled
        superseded.finishedAt = Timestamp(seconds: 9_000)
        let afterInactive = try merged.merged(with: superseded)
        #expect(afterInactive.status == .success)
        #expect(afterInactive.finishedAt == Timestamp(seconds: 200))

        // Without a result, cancelled closes the window.
        let cancelled = try start.merged(with: superseded)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.finishedAt == Timestamp(seconds: 9_000))
    }

    @Test func aFinalRecordMayBeCompletedAndNarrowedButNotWidened() throws {
        let final = DeploymentRecord(
            id: "d1", source: .webhook, project: "shop", services: ["api", "web"], commit: "abc", status: .success,
            startedAt: Timestamp(seconds: 100), finishedAt: Timestamp(seconds: 200)
        )
        func post(_ change: (inout DeploymentRecord) -> Void) -> DeploymentRecord {
            var newer = final
            change(&newer)
            return newer
        }
        // The same record again, a filled field, a narrower finish and service list: fine.
        #expect(try final.merged(with: final) == final)
        let narrowed = try final.merged(with: post { $0.finishedAt = Timestamp(seconds: 150); $0.services = ["api"]; $0.actor = "ci" })
        #expect(narrowed.finishedAt == Timestamp(seconds: 150))
        #expect(narrowed.services == ["api"])
        #expect(narrowed.actor == "ci")

        let widenings: [(String, DeploymentRecord)] = [
            ("finished_at", post { $0.finishedAt = Timestamp(seconds: 3_000_000_000) }),
            ("started_at", post { $0.startedAt = Timestamp(seconds: 50) }),
            ("project", post { $0.project = "billing" }),
            ("services", post { $0.services = ["api", "web", "db"] }),
            ("touched", post { $0.touched = ["billing-db-1"] }),
            ("images", post { $0.images = ["api": "shop/api:2"] }),
            ("commit", post { $0.commit = "def" }),
            ("status", post { $0.status = .failure }),
        ]
        for (field, newer) in widenings {
            #expect(throws: DeploymentConflict.self, "\(field)") { try final.merged(with: newer) }
            do {
                _ = try final.merged(with: newer)
            } catch {
                #expect(error.field == field)
            }
        }
    }
}
