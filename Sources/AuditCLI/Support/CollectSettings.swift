import AuditStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `audit collect` runs with. Each setting comes from its flag, else its environment variable,
/// else the configuration file, else its default, and remembers which: `audit config check` prints it.
struct CollectSettings {
    /// Every setting the configuration file takes, by `audit collect`'s long option name.
    static let kinds: [String: ConfigFile.Kind] = [
        "docker-host": .text, "db": .text, "log-level": .logLevel, "listen": .text,
        "webhook-secret-file": .text, "github-secret-file": .text, "gitlab-token-file": .text,
        "insecure-no-auth": .flag, "accept-bare-hmac": .flag, "max-connections": .integer,
        "max-deployment-window": .duration, "max-clock-ahead": .duration,
        "compose-file": .list, "drift-interval": .duration, "project-name": .text, "env-file": .text,
        "retention": .period, "probe-retention": .period, "prune-interval": .duration,
        "notify": .list, "notify-min-severity": .text, "notify-secret-file": .text,
        "forward": .text, "host-name": .text,
    ]

    /// The environment variables that stand for a setting (secrets have variables but no key: the
    /// file names the secret's file instead, so the secret itself is never in the configuration).
    static let variables: [String: String] = [
        "docker-host": "DOCKER_HOST", "db": "AUDIT_DB", "log-level": "AUDIT_LOG_LEVEL", "listen": "AUDIT_LISTEN",
        "project-name": "COMPOSE_PROJECT_NAME", "forward": "AUDIT_FORWARD",
    ]

    static let defaults: [String: ConfigFile.Value] = [
        "insecure-no-auth": .flag(false), "accept-bare-hmac": .flag(false), "max-connections": .integer(128),
        "max-deployment-window": .text("6h"), "max-clock-ahead": .text("5m"), "compose-file": .list([]), "drift-interval": .text("5m"),
        "retention": .text(RetentionPolicy.defaultRetention), "probe-retention": .text(RetentionPolicy.defaultProbeRetention), "prune-interval": .text("1h"),
        "notify": .list([]), "notify-min-severity": .text("high"),
    ]

    struct Resolved {
        var value: ConfigFile.Value
        /// `flag`, `env NAME`, `FILE:LINE` or `default`.
        var source: String
    }

    private(set) var resolved: [String: Resolved] = [:]
    let file: ConfigFile?

    /// `flags` holds only what was given on the command line.
    init(flags: [String: ConfigFile.Value], environment: [String: String], file: ConfigFile?) {
        self.file = file
        for key in Self.kinds.keys {
            if let value = flags[key] {
                resolved[key] = Resolved(value: value, source: "flag")
            } else if let name = Self.variables[key], let text = environment[name], !text.isEmpty {
                resolved[key] = Resolved(value: .text(text), source: "env \(name)")
            } else if let value = file?.entries[key]?.value {
                resolved[key] = Resolved(value: value, source: file?.origin(key) ?? "file")
            } else if let value = Self.defaults[key] {
                resolved[key] = Resolved(value: value, source: "default")
            }
        }
    }

    /// Reads the file named by `--config`, else `AUDIT_CONFIG`, else the default path if it exists.
    static func load(configFlag: String?, flags: [String: ConfigFile.Value], environment: [String: String]) throws(ConfigFileError) -> CollectSettings {
        let named = configFlag ?? environment["AUDIT_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let file = try ConfigFile.load(named ?? ConfigFile.defaultPath, known: kinds, optional: named == nil)
        return CollectSettings(flags: flags, environment: environment, file: file)
    }

    /// A value of the right kind that `audit collect` still refuses, said where it was set:
    /// `FILE:LINE: key: …` for the file, else `--key …` or `NAME …` for a flag or the environment.
    func problem(_ key: String, _ message: String) -> String {
        guard let source = resolved[key]?.source else { return "--\(key) \(message)" }
        if source == "flag" || source == "default" { return "--\(key) \(message)" }
        if source.hasPrefix("env ") { return "\(source.dropFirst(4)) \(message)" }
        return "\(source): \(key): \(message)"
    }

    func text(_ key: String) -> String? {
        if case .text(let s)? = resolved[key]?.value { return s }
        return nil
    }

    func integer(_ key: String) -> Int? {
        if case .integer(let n)? = resolved[key]?.value { return n }
        return nil
    }

    func flag(_ key: String) -> Bool {
        if case .flag(let b)? = resolved[key]?.value { return b }
        return false
    }

    func list(_ key: String) -> [String] {
        if case .list(let l)? = resolved[key]?.value { return l }
        return []
    }
}
