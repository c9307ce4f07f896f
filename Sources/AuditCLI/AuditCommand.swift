import ArgumentParser

/// The root of the `audit` command line; `audit/main.swift` only calls `main()`.
public struct AuditCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Records what touched production Docker hosts, and what happened outside the pipeline.",
        subcommands: [
            CollectCommand.self, ServeCommand.self, IngestCommand.self, EventsCommand.self, StatusCommand.self,
            DeployCommand.self, ImportCommand.self, DeploymentsCommand.self,
            ReportCommand.self, AckCommand.self, DriftCommand.self, DoctorCommand.self, ConfigCommand.self, PruneCommand.self, BenchCommand.self,
        ]
    )

    public init() {}
}

extension AuditCommand {
    /// Parses, runs and exits. Usage errors exit 2 (not ArgumentParser's 64) so scripts and CI can
    /// tell "wrong invocation" (2) from "the check found something" (3).
    public static func runAndExit() async -> Never {
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(withError: nil)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.error(fullMessage(for: error))
                exit(withError: CheckExit.usage)
            }
            // Help and exit statuses as ArgumentParser writes them; every other error through
            // `Terminal.error`, control characters escaped: its text can quote what a store, a database
            // or a peer holds (a host name, a container name).
            if code == .success || error is ExitCode { exit(withError: error) }
            Terminal.error(fullMessage(for: error))
            exit(withError: code)
        }
    }
}
