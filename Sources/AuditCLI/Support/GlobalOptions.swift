import ArgumentParser
import AuditSupport
import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Options every command shares: where the store is, and how much to log.
public struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite store. Default: $AUDIT_DB, else /var/lib/audit/audit.db as root, else ~/.local/state/audit/audit.db.", valueName: "path"))
    public var db: String?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (env AUDIT_LOG_LEVEL).", valueName: "level"))
    public var logLevel: String?

    public init() {}

    /// The store path, with its directory created (mode 0700) when it is the default.
    func resolvedPath() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let db { return db }
        if let fromEnv = environment["AUDIT_DB"], !fromEnv.isEmpty { return fromEnv }
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
