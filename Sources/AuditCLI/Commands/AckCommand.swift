import ArgumentParser
import AuditStore
import AuditSupport
import Fleet
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct AckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge a finding: who accepted it, why, and until when.",
        discussion: "When --expires passes and the finding is still open, `audit report` shows it as stale: the manual fix was never carried into the manifest. With --db postgresql://… the acknowledgement is the fleet's: every host's report reads it."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The finding id, as `audit report` prints it.")
    var findingID: String

    @Option(help: "Why (an incident number, a ticket).")
    var reason: String

    @Option(help: ArgumentHelp("How long the acknowledgement holds: a duration (48h, 7d) or an RFC 3339 time.", valueName: "time"))
    var expires: String?

    @Option(help: "Who acknowledges (default: $SUDO_USER, $USER).")
    var by: String?

    func validate() throws {
        try store.validateLogLevel()
        guard !reason.trimmingSpaces().isEmpty else { throw ValidationError("--reason must say why, e.g. --reason \"incident #482\"") }
        if let expires, Self.expiry(expires, now: .now()) == nil {
            throw ValidationError("--expires \"\(expires)\" is not a duration (48h, 7d) or an RFC 3339 time")
        }
    }

    /// A duration counts forward from now here (unlike --since).
    static func expiry(_ text: String, now: Timestamp) -> Timestamp? {
        if let d = TimeArgument.parseDuration(text) { return now.adding(nanoseconds: d) }
        return RFC3339.parse(text)
    }

    func run() async throws {
        let now = Timestamp.now()
        let environment = ProcessInfo.processInfo.environment
        let who = by ?? environment["SUDO_USER"] ?? environment["USER"] ?? "unknown"
        let expiresAt = expires.flatMap { Self.expiry($0, now: now) }
        if let url = try store.fleetURL() {
            try await FleetReader.with(url, logger: store.makeLogger(label: "audit.ack")) { [findingID, reason] reader in
                try await reader.acknowledge(findingID: findingID, by: who, reason: reason, atNs: now.nanoseconds, expiresNs: expiresAt?.nanoseconds)
            }
            Terminal.out("acknowledged \(findingID) in the fleet by \(who): \(reason)" + (expiresAt.map { " until \(RFC3339.format($0))" } ?? ""))
            return
        }
        try DeploymentRepository(path: try store.resolvedPath())
            .acknowledge(findingID: findingID, by: who, reason: reason, atNs: now.nanoseconds, expiresNs: expiresAt?.nanoseconds)
        Terminal.out("acknowledged \(findingID) by \(who): \(reason)" + (expiresAt.map { " until \(RFC3339.format($0))" } ?? ""))
    }
}
