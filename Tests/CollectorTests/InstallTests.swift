import Foundation
import Testing

/// scripts/install and scripts/uninstall, always into a temporary DESTDIR with the debug binary
/// (AUDIT_BINARY): nothing here touches the real /usr/local, /etc, users or systemd. The unit itself is
/// checked by `systemd-analyze verify` (scripts/install-deps installs the `systemd` package for it).
@Suite(.serialized)
struct InstallTests {
    static let unitSource = TestEngine.packageRoot + "/scripts/audit-collector.service"

    /// What install lays down, and nothing else, with each file's mode.
    static let installedFiles: [String: String] = [
        "usr/local/bin/audit": "755",
        "etc/systemd/system/audit-collector.service": "644",
        "etc/audit/audit.yaml": "640",
        "usr/local/share/audit/audit.yaml.installed": "644",
    ]

    static let configPath = "/etc/audit/audit.yaml"

    @Test func unitPassesSystemdVerifyAndIsHardened() async throws {
        try await withTemporaryDirectory { dir in
            // verify checks that ExecStart names an executable: point it at the debug binary.
            let unit = try String(contentsOfFile: Self.unitSource, encoding: .utf8)
            let path = dir + "/audit-collector.service"
            try unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/audit ", with: "ExecStart=\(try Self.binary()) ")
                .write(toFile: path, atomically: true, encoding: .utf8)
            try await Self.expectVerifies(path)
        }
        let directives = try Self.directives(String(contentsOfFile: Self.unitSource, encoding: .utf8))
        let expected: [(String, String)] = [
            ("ExecStart", "/usr/local/bin/audit collect"),
            ("User", "audit"), ("Group", "audit"), ("SupplementaryGroups", "docker"),
            ("StateDirectory", "audit"), ("ReadWritePaths", "/var/lib/audit"),
            ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
            ("Restart", "on-failure"), ("RestartSec", "5"), ("KillSignal", "SIGTERM"), ("TimeoutStopSec", "20"),
            ("ProtectKernelTunables", "yes"), ("ProtectKernelModules", "yes"), ("ProtectControlGroups", "yes"),
            ("RestrictSUIDSGID", "yes"), ("LockPersonality", "yes"),
            ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"), ("SystemCallArchitectures", "native"),
            ("CapabilityBoundingSet", ""), ("UMask", "0077"), ("WantedBy", "multi-user.target"),
        ]
        for (key, value) in expected {
            #expect(directives[key] == [value], "\(key)= should be exactly \"\(value)\" once; the unit has \(directives[key] ?? [])")
        }
        // The settings are audit.yaml's alone: a variable set by the unit would override the file.
        for key in ["Environment", "EnvironmentFile", "PassEnvironment"] {
            #expect(directives[key] == nil, "the unit should set no \(key)=: \(directives[key] ?? [])")
        }
    }

    @Test func installLaysDownExactlyItsFilesWithTheirModes() async throws {
        try await withTemporaryDirectory { root in
            let output = try await Self.install(root)
            #expect(try await Self.files(root) == Self.installedFiles)
            #expect(output.contains("systemctl enable --now audit-collector"), "install should print how to start it: \(output)")
            #expect(output.contains("journalctl -u audit-collector -f"), "install should print how to watch it: \(output)")
            let binary = try await Self.run(["cmp", try Self.binary(), root + "/usr/local/bin/audit"])
            #expect(binary.status == 0, "the installed binary should be AUDIT_BINARY: \(binary.output)")
            let unit = try await Self.run(["cmp", Self.unitSource, root + "/etc/systemd/system/audit-collector.service"])
            #expect(unit.status == 0, "the installed unit should be scripts/audit-collector.service: \(unit.output)")

            // The installed unit, pointed at the installed binary, verifies too.
            let installedUnit = try String(contentsOfFile: root + "/etc/systemd/system/audit-collector.service", encoding: .utf8)
            let check = root + "/verify/audit-collector.service"
            try FileManager.default.createDirectory(atPath: root + "/verify", withIntermediateDirectories: false)
            try installedUnit.replacingOccurrences(of: "ExecStart=/usr/local/bin/audit ", with: "ExecStart=\(root)/usr/local/bin/audit ")
                .write(toFile: check, atomically: true, encoding: .utf8)
            try await Self.expectVerifies(check)

            // Every key the collector takes is in the configuration, once, commented out but for db.
            let config = try String(contentsOfFile: root + Self.configPath, encoding: .utf8)
            let lines = config.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let keys = try Self.keysOfCollectSettings()
            #expect(keys.count >= 16 && keys.contains("db"), "found only \(keys.sorted()) in CollectSettings.kinds")
            for key in keys.sorted() {
                let listed = lines.filter { $0.hasPrefix("#\(key): ") || $0.hasPrefix("\(key): ") }
                #expect(listed.count == 1, "audit.yaml should list \(key) once (#\(key): default), not \(listed)")
                if let index = lines.firstIndex(where: { $0.hasPrefix("#\(key): ") || $0.hasPrefix("\(key): ") }) {
                    #expect(index > 0 && lines[index - 1].hasPrefix("# "), "audit.yaml should explain \(key) on the line above it")
                }
            }
            let set = lines.filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
            #expect(set == ["db: /var/lib/audit/audit.db"], "a fresh audit.yaml sets db and nothing else: \(set)")
        }
    }

    @Test func installedConfigurationPassesConfigCheck() async throws {
        try await withTemporaryDirectory { root in
            try await Self.install(root)
            let path = root + Self.configPath
            let template = try String(contentsOfFile: path, encoding: .utf8)
            let lines = template.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

            // As installed: valid, and the store comes from the file's db line.
            let check = try await Self.configCheck(path)
            #expect(check.status == 0, "audit config check --config \(path) exited \(check.status): \(check.output)")
            let dbLine = try #require(lines.firstIndex(of: "db: /var/lib/audit/audit.db")) + 1
            #expect(Self.setting("db", in: check.output).map { [$0.value, $0.source] } == ["/var/lib/audit/audit.db", "\(path):\(dbLine)"],
                    "config check should show db from \(path):\(dbLine): \(check.output)")

            // The defaults it shows are the collector's: uncommenting them changes nothing but the source.
            let empty = root + "/empty.yaml"
            try "".write(toFile: empty, atomically: true, encoding: .utf8)
            let defaults = try await Self.configCheck(empty)
            try #require(defaults.status == 0, "config check of an empty file: \(defaults.output)")
            let defaulted = Self.defaulted(in: defaults.output)
            #expect(defaulted.count >= 6, "config check of an empty file shows few defaults: \(defaults.output)")
            let uncommented = root + "/uncommented.yaml"
            try lines.map { line in defaulted.keys.contains { line.hasPrefix("#\($0): ") } ? String(line.dropFirst()) : line }
                .joined(separator: "\n").write(toFile: uncommented, atomically: true, encoding: .utf8)
            let explicit = try await Self.configCheck(uncommented)
            #expect(explicit.status == 0, "the defaults uncommented should pass: \(explicit.output)")
            for (key, value) in defaulted.sorted(by: { $0.key < $1.key }) {
                let line = (lines.firstIndex { $0.hasPrefix("#\(key): ") } ?? -2) + 1
                #expect(Self.setting(key, in: explicit.output).map { [$0.value, $0.source] } == [value, "\(uncommented):\(line)"],
                        "audit.yaml should give \(key) its default \(value), commented out: \(explicit.output)")
            }
        }
    }

    @Test func aTypoInTheInstalledConfigurationIsNamed() async throws {
        try await withTemporaryDirectory { root in
            try await Self.install(root)
            let path = root + Self.configPath
            var text = try String(contentsOfFile: path, encoding: .utf8)
            if !text.hasSuffix("\n") { text += "\n" }
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).count
            try (text + "log-levle: debug\n").write(toFile: path, atomically: false, encoding: .utf8)
            let check = try await Self.configCheck(path)
            #expect(check.status == 2, "a typo should make config check exit 2, not \(check.status): \(check.output)")
            #expect(check.output.contains("\(path):\(line): log-levle: unknown setting"),
                    "config check should name \(path):\(line) and the key: \(check.output)")
        }
    }

    @Test func reinstallKeepsAnEditedConfiguration() async throws {
        try await withTemporaryDirectory { root in
            try await Self.install(root)
            let config = root + Self.configPath
            let edited = try String(contentsOfFile: config, encoding: .utf8) + "log-level: debug\n"
            try edited.write(toFile: config, atomically: false, encoding: .utf8)
            let output = try await Self.install(root)
            #expect(try String(contentsOfFile: config, encoding: .utf8) == edited, "re-install overwrote the edited audit.yaml")
            #expect(output.contains("kept \(config)"), "re-install should say it kept the config: \(output)")
            #expect(try await Self.files(root) == Self.installedFiles)
        }
    }

    @Test func uninstallRemovesWhatInstallAddedAndKeepsTheStore() async throws {
        try await withTemporaryDirectory { root in
            // Unchanged config: removed; the store: kept, then removed by --purge.
            try await Self.install(root)
            try Self.makeStore(root)
            let output = try await Self.uninstall(root)
            #expect(try await Self.files(root) == ["var/lib/audit/audit.db": "600"], "uninstall output: \(output)")
            #expect(output.contains("kept the store"), "uninstall should say it kept the store: \(output)")
            try await Self.uninstall(root, "--purge")
            #expect(try await Self.files(root) == [:])
        }
        try await withTemporaryDirectory { root in
            // Edited config: kept, then removed by --purge.
            try await Self.install(root)
            let config = root + Self.configPath
            let edited = try String(contentsOfFile: config, encoding: .utf8) + "docker-host: unix:///run/other.sock\n"
            try edited.write(toFile: config, atomically: false, encoding: .utf8)
            try Self.makeStore(root)
            let output = try await Self.uninstall(root)
            #expect(try await Self.files(root) == ["etc/audit/audit.yaml": "640", "var/lib/audit/audit.db": "600"])
            #expect(try String(contentsOfFile: config, encoding: .utf8) == edited)
            #expect(output.contains("kept \(config)"), "uninstall should say it kept the edited config: \(output)")
            try await Self.uninstall(root, "--purge")
            #expect(try await Self.files(root) == [:])
        }
        try await withTemporaryDirectory { root in
            // Nothing but the install: nothing left but empty directories.
            try await Self.install(root)
            try await Self.uninstall(root)
            #expect(try await Self.files(root) == [:])
        }
    }

    @Test func installRetiresAnOlderInstallsAuditEnv() async throws {
        let env = "etc/audit/audit.env", copy = "usr/local/share/audit/audit.env.installed"
        try await withTemporaryDirectory { root in
            // Unchanged since that install: removed with its copy.
            try Self.writeOldInstall(root, env: "#AUDIT_DB=\n", copy: "#AUDIT_DB=\n")
            let output = try await Self.install(root)
            #expect(try await Self.files(root) == Self.installedFiles, "install output: \(output)")
            #expect(output.contains("removed \(root)/\(env)"), "install should say it removed audit.env: \(output)")
        }
        try await withTemporaryDirectory { root in
            // Edited: kept and said so (its settings must be moved), its copy dropped; uninstall keeps it too.
            try Self.writeOldInstall(root, env: "AUDIT_LISTEN=8780\n", copy: "#AUDIT_LISTEN=\n")
            let output = try await Self.install(root)
            var expected = Self.installedFiles
            expected[env] = "600"
            #expect(try await Self.files(root) == expected, "install output: \(output)")
            #expect(output.contains("\(root)/\(env) is no longer read"), "install should say audit.env is not read: \(output)")
            try await Self.uninstall(root)
            #expect(try await Self.files(root) == [env: "600"])
            try await Self.uninstall(root, "--purge")
            #expect(try await Self.files(root) == [:])
        }
    }

    // MARK: - Helpers

    /// What an older scripts/install left: audit.env and the copy it compared it with.
    static func writeOldInstall(_ root: String, env: String, copy: String) throws {
        for (path, text) in [("/etc/audit/audit.env", env), ("/usr/local/share/audit/audit.env.installed", copy)] {
            try FileManager.default.createDirectory(atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: root + path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
        }
    }

    static func binary() throws -> String {
        let path = TestEngine.auditBinary
        try #require(FileManager.default.isExecutableFile(atPath: path), "no \(path): run swift build first")
        return path
    }

    /// scripts/install into `root` only (DESTDIR), with the debug binary; its stdout and stderr.
    @discardableResult
    static func install(_ root: String) async throws -> String {
        try await script("install", root: root, environment: ["AUDIT_BINARY": try binary()])
    }

    @discardableResult
    static func uninstall(_ root: String, _ arguments: String...) async throws -> String {
        try await script("uninstall", root: root, arguments: arguments)
    }

    static func script(_ name: String, root: String, arguments: [String] = [], environment: [String: String] = [:]) async throws -> String {
        // Never without a DESTDIR: that would install into this machine.
        try #require(root.hasPrefix("/tmp/") && root.count > 5, "refusing DESTDIR \(root)")
        var environment = environment
        environment["DESTDIR"] = root
        let result = try await run([TestEngine.packageRoot + "/scripts/" + name] + arguments, environment: environment)
        try #require(result.status == 0, "scripts/\(name) exited \(result.status): \(result.output)")
        return result.output
    }

    /// The store a running collector would have left (the test never starts one).
    static func makeStore(_ root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/var/lib/audit", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: root + "/var/lib/audit/audit.db", contents: Data("store".utf8),
                                               attributes: [.posixPermissions: 0o600]))
    }

    /// Every non-directory under `root` (relative path → octal mode); directories are not listed.
    static func files(_ root: String) async throws -> [String: String] {
        let listing = try await run(["find", root, "-mindepth", "1", "!", "-type", "d", "-printf", "%m %P\\n"])
        try #require(listing.status == 0, "find: \(listing.output)")
        var files: [String: String] = [:]
        for line in listing.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            files[String(parts[1])] = String(parts[0])
        }
        return files
    }

    /// `systemd-analyze verify` must pass and print nothing: an unknown or misspelled key is only a warning.
    static func expectVerifies(_ path: String) async throws {
        let which = try await run(["sh", "-c", "command -v systemd-analyze"])
        try #require(which.status == 0, "systemd-analyze is missing: scripts/install-deps installs the systemd package")
        let verify = try await run(["systemd-analyze", "verify", path])
        #expect(verify.status == 0 && verify.output.isEmpty, "systemd-analyze verify \(path) exited \(verify.status): \(verify.output)")
    }

    /// Key → values of a unit file (comments and section headers left out).
    static func directives(_ unit: String) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for line in unit.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#"), !text.hasPrefix(";"), !text.hasPrefix("["),
                  let equals = text.firstIndex(of: "=") else { continue }
            result[String(text[..<equals]), default: []].append(String(text[text.index(after: equals)...]))
        }
        return result
    }

    /// The keys of CollectSettings.kinds, read from its source: what the configuration file takes.
    static func keysOfCollectSettings() throws -> Set<String> {
        let text = try String(contentsOfFile: TestEngine.packageRoot + "/Sources/AuditCLI/Support/CollectSettings.swift", encoding: .utf8)
        let start = try #require(text.range(of: "static let kinds: [String: ConfigFile.Kind] = ["), "no CollectSettings.kinds")
        let end = try #require(text.range(of: "\n    ]", range: start.upperBound..<text.endIndex))
        let block = String(text[start.upperBound..<end.lowerBound])
        let regex = try NSRegularExpression(pattern: "\"([a-z][a-z-]*)\"\\s*:")
        return Set(regex.matches(in: block, range: NSRange(block.startIndex..., in: block)).map { (block as NSString).substring(with: $0.range(at: 1)) })
    }

    /// `audit config check --config path` with none of the variables that would override the file.
    static func configCheck(_ path: String) async throws -> (status: Int32, output: String) {
        let cleared = ["AUDIT_CONFIG", "AUDIT_DB", "AUDIT_LOG_LEVEL", "AUDIT_LISTEN", "DOCKER_HOST", "COMPOSE_PROJECT_NAME",
                       "AUDIT_WEBHOOK_SECRET", "AUDIT_GITHUB_SECRET", "AUDIT_GITLAB_TOKEN"]
        return try await run([try binary(), "config", "check", "--config", path],
                             environment: Dictionary(uniqueKeysWithValues: cleared.map { ($0, "") }))
    }

    /// A setting's value and source as `audit config check` prints it (`key   value  (source)`).
    static func setting(_ key: String, in output: String) -> (value: String, source: String)? {
        for line in output.split(separator: "\n") where line.hasPrefix(key + " ") {
            let rest = line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            guard let open = rest.range(of: "  (", options: .backwards), rest.hasSuffix(")") else { return nil }
            return (String(rest[..<open.lowerBound]), String(rest[open.upperBound...].dropLast()))
        }
        return nil
    }

    /// Key → value of every setting `audit config check` shows as `(default)`.
    static func defaulted(in output: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let key = line.split(separator: " ").first.map(String.init),
                  let (value, source) = setting(key, in: String(line)), source == "default" else { continue }
            result[key] = value
        }
        return result
    }

    /// Runs a command with stdout and stderr into one file; never throws on a non-zero exit.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let file = "/tmp/audit-install-test-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { unlink(file) }
        let child = try ChildProcess(arguments, environment: environment, stdout: file, stderr: file)
        let status = await child.wait()
        return (status, (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
    }
}
