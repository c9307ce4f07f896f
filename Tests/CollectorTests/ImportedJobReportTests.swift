import Foundation
import Testing

/// A CI job imported as one deployment with steps, judged against `docker events` output ingested
/// into the same store: no engine needed, the real binary and the real fixture log.
@Suite struct ImportedJobReportTests {
    static let api = String(repeating: "a1", count: 32)

    /// One `docker events --format '{{json .}}'` line.
    static func line(_ type: String, _ action: String, id: String, attributes: [String: String], at seconds: Int64, nanos: Int64 = 0) -> String {
        let object: [String: Any] = [
            "status": action, "id": id, "Type": type, "Action": action, "scope": "local",
            "Actor": ["ID": id, "Attributes": attributes], "time": seconds, "timeNano": seconds * 1_000_000_000 + nanos,
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func thePullStepCoversItsPullsAndNotAnExecWhileItRan() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir + "/audit.db"
            let labels = ["com.docker.compose.project": "shop", "com.docker.compose.service": "api", "name": "shop-api-1", "image": "ghcr.io/acme/shop-api:1.4.2"]
            // 09:41:20, while `docker compose pull` ran (09:41:07.04 → 09:41:31.2): its pull, and an exec by hand.
            let events = [
                Self.line("image", "pull", id: "ghcr.io/acme/shop-api:1.4.2", attributes: ["name": "ghcr.io/acme/shop-api"], at: 1_796_118_080),
                Self.line("container", "exec_start: sh -c vi /etc/app.conf", id: Self.api, attributes: labels.merging(["execID": "e1"]) { a, _ in a }, at: 1_796_118_085),
            ]
            try (events.joined(separator: "\n") + "\n").write(toFile: dir + "/events.ndjson", atomically: true, encoding: .utf8)
            try await TestEngine.run([TestEngine.auditBinary, "ingest", "--db", db, dir + "/events.ndjson"])
            let log = TestEngine.packageRoot + "/Tests/DeploymentsTests/Fixtures/github-actions-pull-steps.log"
            for _ in 0..<2 { try await TestEngine.run([TestEngine.auditBinary, "import", "--db", db, "--format", "github-actions", log]) }

            let text = try await TestEngine.run([TestEngine.auditBinary, "report", "--db", db, "--since", "2026-12-01T09:40:00Z",
                                                 "--until", "2026-12-01T09:45:00Z", "--format", "json", "--in-band"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            // Imported twice, stored once: one deployment with two steps.
            let deployments = try #require(json["deployments"] as? [[String: Any]])
            #expect(deployments.count == 1)
            #expect((deployments.first?["steps"] as? [[String: Any]])?.count == 2)
            let findings = json["findings"] as? [[String: Any]] ?? []
            #expect(findings.map { $0["kind"] as? String } == ["exec"], "\(findings)")
            let why = findings.first?["why"] as? String ?? ""
            #expect(why.hasPrefix("shop deployment log-import-20261201T094107Z-"), "\(why)")
            #expect(why.hasSuffix(" step `docker compose -p shop pull` does not exec"), "\(why)")
            let inBand = json["in_band"] as? [[String: Any]] ?? []
            #expect(inBand.map { $0["action"] as? String } == ["pull"], "\(inBand)")
            #expect((inBand.first?["evidence"] as? String)?.contains("step `docker compose -p shop pull`: during its window") == true, "\(inBand)")
        }
    }
}
