import ArgumentParser

/// The root of the `audit` command line; `audit/main.swift` only calls `main()`.
public struct AuditCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Records what touched production Docker hosts, and what happened outside the pipeline.",
        subcommands: [CollectCommand.self, IngestCommand.self, EventsCommand.self, StatusCommand.self, BenchCommand.self]
    )

    public init() {}
}

/// What `audit/main.swift` needs to start the async command tree without importing ArgumentParser.
public protocol AsyncParsableCommandRoot {
    static func main() async
}

extension AuditCommand: AsyncParsableCommandRoot {}
