import AuditSupport
import Testing
@testable import Deployments

@Suite struct CILogReaderTests {
    @Test func githubReaderDropsTheBOMAndReadsTheStepScript() throws {
        let events = CILogReader.events(format: .githubActions, text: try Fixture.text("github-actions-deploy.log"))
        #expect(events.first == .output("Current runner version: '2.316.0'", time: RFC3339.parse("2024-05-01T10:00:00.1234567Z")))
        #expect(events.contains(.commands(
            [#"docker compose -p "$STACK" up -d --wait api worker"#],
            environment: ["STACK": "shop", "REGISTRY": "ghcr.io/acme"], time: RFC3339.parse("2024-05-01T10:00:05Z"), afterScript: false
        )))
    }

    @Test func gitlabReaderSplitsJoinedMarkersAndStripsStreamPrefixes() {
        let trace = "2024-05-01T10:00:03.000100Z 00O section_end:1714557603:prepare\r\u{1B}[0Ksection_start:1714557603:step_script\r\u{1B}[0K\u{1B}[0K\u{1B}[36;1mExecuting\u{1B}[0;m\n"
            + "2024-05-01T10:00:04.000000Z 01E+ \u{1B}[32;1m$ docker compose up -d\u{1B}[0;m\n"
        let t3 = RFC3339.parse("2024-05-01T10:00:03.0001Z")
        #expect(CILogReader.events(format: .gitlab, text: trace) == [
            .sectionMarker(Timestamp(seconds: 1_714_557_603), closes: true),
            .sectionMarker(Timestamp(seconds: 1_714_557_603), closes: false),
            .output("Executing", time: t3),
            .commands(["docker compose up -d"], environment: [:], time: RFC3339.parse("2024-05-01T10:00:04Z"), afterScript: false),
        ])
    }

    /// Issue 9: a marker's Unix time was multiplied into nanoseconds unchecked.
    @Test func aSectionMarkerBeyondNanosecondsIsOutputNotATrap() {
        let events = CILogReader.events(format: .gitlab, text: "section_start:99999999999:step_script\n")
        #expect(events == [.output("section_start:99999999999:step_script", time: nil)])
    }

    @Test func terminalTextDropsEscapesAndConcealedNotes() {
        #expect(TerminalText.plain(Array("\u{1B}[8mha:////4Lh3rJ=\u{1B}[0m[Pipeline] sh".utf8)) == "[Pipeline] sh")
        #expect(TerminalText.plain(Array("\u{1B}[38;5;8mgrey\u{1B}[0m \u{1B}]0;title\u{07}text\u{1B}[2K".utf8)) == "grey text")
    }
}
