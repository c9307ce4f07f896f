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
        "etc/audit/audit.env": "600",
        "usr/local/share/audit/audit.env.installed": "644",
    ]

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
            ("ExecStart", "/usr/local/bin/audit collect $AUDIT_COLLECT_ARGS"),
            ("EnvironmentFile", "-/etc/audit/audit.env"),
            ("Environment", "AUDIT_DB=/var/lib/audit/audit.db AUDIT_COLLECT_ARGS="),
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

            // Every variable the sources read is in the configuration, commented out; nothing is set.
            let config = try String(contentsOfFile: root + "/etc/audit/audit.env", encoding: .utf8)
            let variables = try Self.variablesReadBySources()
            #expect(variables.count >= 9, "found only \(variables.sorted()) in Sources")
            for variable in variables.sorted() {
                #expect(config.contains("\n#\(variable)="), "audit.env should list #\(variable)= with its default")
            }
            #expect(config.contains("\n#AUDIT_COLLECT_ARGS="), "audit.env should list #AUDIT_COLLECT_ARGS=")
            let set = config.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
            #expect(set.isEmpty, "a fresh audit.env sets nothing: \(set)")
        }
    }

    @Test func reinstallKeepsAnEditedConfiguration() async throws {
        try await withTemporaryDirectory { root in
            try await Self.install(root)
            let config = root + "/etc/audit/audit.env"
            let edited = try String(contentsOfFile: config, encoding: .utf8) + "AUDIT_LOG_LEVEL=debug\n"
            try edited.write(toFile: config, atomically: false, encoding: .utf8)
            let output = try await Self.install(root)
            #expect(try String(contentsOfFile: config, encoding: .utf8) == edited, "re-install overwrote the edited audit.env")
            #expect(output.contains("kept \(root)/etc/audit/audit.env"), "re-install should say it kept the config: \(output)")
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
            let config = root + "/etc/audit/audit.env"
            let edited = try String(contentsOfFile: config, encoding: .utf8) + "DOCKER_HOST=unix:///run/other.sock\n"
            try edited.write(toFile: config, atomically: false, encoding: .utf8)
            try Self.makeStore(root)
            let output = try await Self.uninstall(root)
            #expect(try await Self.files(root) == ["etc/audit/audit.env": "600", "var/lib/audit/audit.db": "600"])
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

    // MARK: - Helpers

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

    /// The AUDIT_* and DOCKER_* variables named in Sources/ (what the collector and the CLI read).
    static func variablesReadBySources() throws -> Set<String> {
        let sources = TestEngine.packageRoot + "/Sources"
        let regex = try NSRegularExpression(pattern: "\"((?:AUDIT|DOCKER)_[A-Z_]+)\"")
        var names = Set<String>()
        for case let file as String in FileManager.default.enumerator(atPath: sources)! where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.insert((text as NSString).substring(with: match.range(at: 1)))
            }
        }
        return names
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
