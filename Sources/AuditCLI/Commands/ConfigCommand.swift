import ArgumentParser
import AuditSupport
import Fleet
import Notify
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `audit config check`: validates the collector's configuration as `audit collect` would read it.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the collector's configuration file.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate the configuration and print the settings `audit collect` would run with, and where each comes from.",
            discussion: """
                Reads --config, else AUDIT_CONFIG, else \(ConfigFile.defaultPath) when it exists; environment variables \
                override the file (flags override both when given to `audit collect`). Secrets are never printed: the \
                file names the secret's file, and a secret in the environment shows as set. Exit status: 0 when \
                `audit collect` would start with these settings, 2 otherwise (the message names the file, the line and the key).
                """
        )

        @Option(help: ArgumentHelp("The configuration file (default: $AUDIT_CONFIG, else \(ConfigFile.defaultPath)).", valueName: "path"))
        var config: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let settings: CollectSettings
            do {
                settings = try CollectSettings.load(configFlag: config, flags: [:], environment: environment)
            } catch {
                Terminal.error("\(error)")
                throw CheckExit.usage
            }
            do {
                try CollectCommand.validate(settings)
            } catch {
                Terminal.error(CollectCommand.message(for: error))
                throw CheckExit.usage
            }
            var out = Terminal.Buffered()
            out.line("config                 " + (settings.file.map { "\($0.path) (\($0.entries.count) settings)" } ?? "none (\(ConfigFile.defaultPath) does not exist)"))
            for key in CollectSettings.kinds.keys.sorted() {
                guard let setting = settings.resolved[key] else { continue }
                out.line(key.padding(toLength: 23, withPad: " ", startingAt: 0) + "\(Self.show(key == "notify" ? Self.maskedSinks(setting.value) : key == "forward" ? Self.maskedForward(setting.value) : setting.value))  (\(setting.source))")
            }
            for variable in ["AUDIT_WEBHOOK_SECRET", "AUDIT_GITHUB_SECRET", "AUDIT_GITLAB_TOKEN", "AUDIT_NOTIFY_SECRET"] where !(environment[variable] ?? "").isEmpty {
                out.line(variable.padding(toLength: 23, withPad: " ", startingAt: 0) + "*** (set in the environment)")
            }
            out.line("ok: audit collect would start with these settings")
            out.flush()
        }

        /// A sink's URL may be its credential (a Slack webhook's path is): only the kind and origin are shown.
        static func maskedSinks(_ value: ConfigFile.Value) -> ConfigFile.Value {
            guard case .list(let sinks) = value else { return value }
            return .list(sinks.map { text in (try? SinkConfiguration.parse(text)).map { "\($0.kind.rawValue)=\($0.origin)/***" } ?? "***" })
        }

        /// The forward URL's password, if written in it, is not shown.
        static func maskedForward(_ value: ConfigFile.Value) -> ConfigFile.Value {
            guard case .text(let url) = value else { return value }
            return .text(FleetURL.masked(url))
        }

        static func show(_ value: ConfigFile.Value) -> String {
            switch value {
            case .text(let s): return VisibleText.escaped(s)
            case .integer(let n): return String(n)
            case .flag(let b): return String(b)
            case .list(let l): return l.isEmpty ? "(none)" : l.map { VisibleText.escaped($0) }.joined(separator: ", ")
            }
        }
    }
}
