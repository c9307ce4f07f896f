import ArgumentParser
import AuditSupport
import Fleet
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Options every command shares: where the store is, and how much to log.
public struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite store. Default: $AUDIT_DB, else /var/lib/audit/audit.db as root, else ~/.local/state/audit/audit.db. report, events, deployments, status, ack, prune, serve and import also take the fleet's postgresql://USER@HOST:PORT/DB.", valueName: "path|url"))
    public var db: String?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (env AUDIT_LOG_LEVEL).", valueName: "level"))
    public var logLevel: String?

    public init() {}

    /// The store path, with its directory created (mode 0700) when it is the default. A fleet URL is
    /// refused here: only the commands that call `fleetURL()` read PostgreSQL.
    func resolvedPath() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let given = db ?? environment["AUDIT_DB"].flatMap({ $0.isEmpty ? nil : $0 }) {
            if Self.isFleetURL(given) {
                throw ValidationError("this command works on a host's SQLite store, not on the fleet's PostgreSQL (\(FleetURL.masked(given))): "
                    + "give --db a store path; report, events, deployments, status, ack, prune, serve and import take a postgresql:// URL")
            }
            return given
        }
        let directory: String
        if getuid() == 0 {
            directory = "/var/lib/audit"
        } else if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            directory = state + "/audit"
        } else {
            directory = (environment["HOME"] ?? ".") + "/.local/state/audit"
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return directory + "/audit.db"
    }

    /// The fleet's PostgreSQL when --db (or AUDIT_DB) is a postgresql:// URL; nil for a SQLite path.
    func fleetURL() throws -> FleetURL? {
        let environment = ProcessInfo.processInfo.environment
        guard let given = db ?? environment["AUDIT_DB"], Self.isFleetURL(given) else { return nil }
        do {
            return try FleetURL.parse(given, environment: environment)
        } catch {
            throw ValidationError(error.message)
        }
    }

    static func isFleetURL(_ text: String) -> Bool {
        // Schemes are case-insensitive: POSTGRESQL://… must not be taken for a file name (and shown unmasked).
        let scheme = text.prefix(13).lowercased()
        return scheme.hasPrefix("postgresql://") || scheme.hasPrefix("postgres://")
    }

    func validateLogLevel() throws {
        if let level = logLevel ?? ProcessInfo.processInfo.environment["AUDIT_LOG_LEVEL"], Logger.Level(rawValue: level) == nil {
            throw ValidationError("unknown log level \"\(level)\"; use trace, debug, info, notice, warning, error or critical")
        }
    }

    /// Logs go to stderr, one line each with namespaced metadata, so stdout stays for data.
    /// `level` is the one already resolved (the collector's configuration file); else flag, then env.
    func makeLogger(label: String, level configured: String? = nil) -> Logger {
        let level = (configured ?? logLevel ?? ProcessInfo.processInfo.environment["AUDIT_LOG_LEVEL"]).flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingBootstrap.once(level: level)
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

enum LoggingBootstrap {
    private static let done = Mutex(false)

    static func once(level: Logger.Level) {
        done.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return VisibleLogHandler(wrapped: handler)
            }
        }
    }
}

import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
