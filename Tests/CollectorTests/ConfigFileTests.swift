import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The collector's configuration file: what it sets, what overrides it (environment, then flags), and
/// a typo that stops the collector before it starts, naming the file, the line and the key.
@Suite(.serialized, .enabled(if: TestEngine.enabled, "needs AUDIT_TEST_DOCKER_HOST (scripts/test starts a private dockerd)"))
struct ConfigFileTests {
    @Test func aTypoStopsTheCollectorBeforeItStartsNamingFileLineAndKey() async throws {
        try await withTemporaryDirectory { dir in
            let config = dir + "/audit.yaml"
            try "# settings\ndb: \(dir)/audit.db\ndrift-intervall: 5m\n".write(toFile: config, atomically: true, encoding: .utf8)
            do {
                try await TestEngine.run([TestEngine.auditBinary, "collect", "--config", config])
                Issue.record("the collector started with a typo in its configuration")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 2)
                #expect(failure.stderr.contains("\(config):3: drift-intervall: unknown setting"), "\(failure.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/audit.db"), "nothing is created before the configuration is valid")
            // Nesting no setting needs is refused before Yams (which recurses) reads it: 30,000 levels here.
            try (String(repeating: "- ", count: 30_000) + "x\n").write(toFile: config, atomically: true, encoding: .utf8)
            do {
                try await TestEngine.run([TestEngine.auditBinary, "config", "check", "--config", config])
                Issue.record("config check passed 30,000 levels of nesting")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 2 && failure.stderr.contains("\(config):1: nests deeper than any setting needs"), "\(failure.stderr)")
            }
            try "max-clock-ahead: soon\n".write(toFile: config, atomically: true, encoding: .utf8)
            do {
                try await TestEngine.run([TestEngine.auditBinary, "config", "check", "--config", config])
                Issue.record("config check passed a bad value")
            } catch let failure as TestEngine.CommandFailed {
                #expect(failure.status == 2 && failure.stderr.contains("\(config):1: max-clock-ahead: \"soon\" is not a duration"), "\(failure.stderr)")
            }
        }
    }

    @Test func notificationSinksAreCheckedAndTheirURLsNeverPrinted() async throws {
        try await withTemporaryDirectory { dir in
            let config = dir + "/audit.yaml"
            func refused(_ text: String) async throws -> String {
                try text.write(toFile: config, atomically: true, encoding: .utf8)
                do {
                    try await TestEngine.run([TestEngine.auditBinary, "config", "check", "--config", config])
                    Issue.record("config check passed \(text)")
                    return ""
                } catch let failure as TestEngine.CommandFailed {
                    #expect(failure.status == 2)
                    return failure.stderr
                }
            }
            #expect(try await refused("notify: webhook=http://127.0.0.1:9/x\n").contains("\(config):1: notify: a webhook sink signs its notifications"))
            #expect(try await refused("notify: pager=http://x\n").contains("\(config):1: notify: unknown sink kind \"pager\""))
            #expect(try await refused("notify-min-severity: loud\n").contains("\(config):1: notify-min-severity: \"loud\" is not a severity"))

            try "s3cr3t\n".write(toFile: dir + "/notify.secret", atomically: true, encoding: .utf8)
            try "notify: [slack=https://hooks.slack.com/services/T0/B0/xoxb-s3cr3t, webhook=https://user:pw@hooks.example/x]\nnotify-secret-file: \(dir)/notify.secret\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            let check = try await TestEngine.run([TestEngine.auditBinary, "config", "check", "--config", config], environment: ["AUDIT_NOTIFY_SECRET": "env-s3cr3t"])
            #expect(check.contains("notify                 slack=https://hooks.slack.com/***, webhook=https://hooks.example/***  (\(config):1)"), "\(check)")
            #expect(check.contains("AUDIT_NOTIFY_SECRET    *** (set in the environment)"), "\(check)")
            #expect(!check.contains("s3cr3t") && !check.contains("pw@"), "\(check)")
        }
    }

    @Test func theFileConfiguresTheCollectorAndTheEnvironmentAndFlagsOverrideIt() async throws {
        let host = try TestEngine.requireHost()
        try await withTemporaryDirectory { dir in
            let config = dir + "/audit.yaml"
            try """
                docker-host: \(host)
                db: \(dir)/from-file.db
                log-level: debug
                """.write(toFile: config, atomically: true, encoding: .utf8)

            // The file alone: its engine, its store, its log level.
            let fromFile = try ChildProcess([TestEngine.auditBinary, "collect", "--config", config], stdout: dir + "/a.log", stderr: dir + "/a.log")
            try await eventually("collector live from the file's settings") {
                (try? String(contentsOfFile: dir + "/a.log", encoding: .utf8))?.contains("streaming live events") == true
            }
            fromFile.signal(SIGTERM)
            #expect(await fromFile.wait() == 0)
            let log = try String(contentsOfFile: dir + "/a.log", encoding: .utf8)
            #expect(FileManager.default.fileExists(atPath: dir + "/from-file.db"), "\(log)")
            #expect(log.contains("debug") && log.contains("config.path=\(config)"), "\(log)")

            // The environment over the file, a flag over both.
            let checked = try await TestEngine.run([TestEngine.auditBinary, "config", "check", "--config", config], environment: ["AUDIT_DB": dir + "/from-env.db"])
            #expect(checked.contains("db                     \(dir)/from-env.db  (env AUDIT_DB)"), "\(checked)")
            #expect(checked.contains("log-level              debug  (\(config):3)"), "\(checked)")
            let fromFlag = try ChildProcess([TestEngine.auditBinary, "collect", "--config", config, "--db", dir + "/from-flag.db"],
                                            environment: ["AUDIT_DB": dir + "/from-env.db"], stdout: dir + "/b.log", stderr: dir + "/b.log")
            try await eventually("collector live with the flag's store") {
                (try? String(contentsOfFile: dir + "/b.log", encoding: .utf8))?.contains("streaming live events") == true
            }
            fromFlag.signal(SIGTERM)
            #expect(await fromFlag.wait() == 0)
            #expect(FileManager.default.fileExists(atPath: dir + "/from-flag.db"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/from-env.db"))
        }
    }
}
