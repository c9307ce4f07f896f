import ArgumentParser
import AuditSupport
import Deployments
import Logging
import Webhook
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The deployment webhook's options, shared by `audit collect --listen` and `audit serve`. They resolve
/// through `CollectSettings` (flag, environment, configuration file, default) under the same keys.
struct WebhookOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serve the webhook on HOST:PORT (a bare port means 127.0.0.1; env AUDIT_LISTEN). Without it audit collect opens no port.", valueName: "address"))
    var listen: String?

    @Option(help: ArgumentHelp("File holding the Standard Webhooks secret for /v1/deployments (or AUDIT_WEBHOOK_SECRET).", valueName: "path"))
    var webhookSecretFile: String?

    @Option(help: ArgumentHelp("File holding the secret GitHub signs /v1/webhooks/github with (or AUDIT_GITHUB_SECRET).", valueName: "path"))
    var githubSecretFile: String?

    @Option(help: ArgumentHelp("File holding the token GitLab sends to /v1/webhooks/gitlab (or AUDIT_GITLAB_TOKEN).", valueName: "path"))
    var gitlabTokenFile: String?

    @Flag(help: "Accept unsigned webhooks; only allowed on a loopback address, with no secret set.")
    var insecureNoAuth = false

    @Flag(help: "Also accept the bare X-Audit-Signature-256 body HMAC on /v1/deployments (no timestamp: a captured request replays).")
    var acceptBareHmac = false

    @Option(help: ArgumentHelp("Open webhook connections at most; more are answered 503 (default 128).", valueName: "count"))
    var maxConnections: Int?

    @Option(help: ArgumentHelp("The longest window one deployment record may cover (default 6h).", valueName: "duration"))
    var maxDeploymentWindow: String?

    @Option(help: ArgumentHelp("How far past this host's clock a deployment's times may lie (default 5m).", valueName: "duration"))
    var maxClockAhead: String?

    /// The options given on the command line, by their long name, for `CollectSettings`.
    var givenFlags: [String: ConfigFile.Value] {
        var flags: [String: ConfigFile.Value] = [:]
        func text(_ key: String, _ value: String?) { if let value { flags[key] = .text(value) } }
        text("listen", listen)
        text("webhook-secret-file", webhookSecretFile)
        text("github-secret-file", githubSecretFile)
        text("gitlab-token-file", gitlabTokenFile)
        text("max-deployment-window", maxDeploymentWindow)
        text("max-clock-ahead", maxClockAhead)
        if insecureNoAuth { flags["insecure-no-auth"] = .flag(true) }
        if acceptBareHmac { flags["accept-bare-hmac"] = .flag(true) }
        if let maxConnections { flags["max-connections"] = .integer(maxConnections) }
        return flags
    }

    /// nil without --listen / AUDIT_LISTEN / `listen:`.
    static func configuration(_ settings: CollectSettings) throws -> WebhookConfiguration? {
        let environment = ProcessInfo.processInfo.environment
        guard let address = settings.text("listen").flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        let secrets = RouteSecrets(
            deployments: try settings.secret(file: "webhook-secret-file", variable: "AUDIT_WEBHOOK_SECRET", environment: environment),
            github: try settings.secret(file: "github-secret-file", variable: "AUDIT_GITHUB_SECRET", environment: environment),
            gitlab: try settings.secret(file: "gitlab-token-file", variable: "AUDIT_GITLAB_TOKEN", environment: environment))
        let maxDeploymentWindow = settings.text("max-deployment-window") ?? "6h"
        let maxClockAhead = settings.text("max-clock-ahead") ?? "5m"
        let insecureNoAuth = settings.flag("insecure-no-auth")
        guard let window = TimeArgument.parseDuration(maxDeploymentWindow), window >= 60_000_000_000 else {
            throw ValidationError(settings.problem("max-deployment-window", "\"\(maxDeploymentWindow)\" is not a duration of at least 1m (30m, 6h, 1d)"))
        }
        guard let ahead = TimeArgument.parseDuration(maxClockAhead), ahead >= 0 else {
            throw ValidationError(settings.problem("max-clock-ahead", "\"\(maxClockAhead)\" is not a duration (30s, 5m)"))
        }
        do {
            let (host, port) = try WebhookConfiguration.parseListen(address)
            let configuration = WebhookConfiguration(
                host: host, port: port, secrets: secrets, insecureNoAuth: insecureNoAuth, acceptBareHMAC: settings.flag("accept-bare-hmac"),
                limits: WebhookLimits(maxConnections: FileDescriptors.connectionCap(requested: settings.integer("max-connections") ?? 128)),
                recordBounds: DeploymentBounds(maxWindowNs: window, maxAheadNs: ahead))
            try configuration.validate()
            return configuration
        } catch {
            throw ValidationError("\(error)" + (secrets.isEmpty && !insecureNoAuth ? " (or --insecure-no-auth on a loopback address)" : ""))
        }
    }

    /// What the log says of the address and the routes served, and how.
    static func logMetadata(_ configuration: WebhookConfiguration) -> Logger.Metadata {
        [
            "webhook.address": "\(configuration.host):\(configuration.port)",
            "webhook.secrets": "\(configuration.secrets.isEmpty ? "all, unauthenticated (loopback only)" : configuration.secrets.named.map(\.option).joined(separator: ","))",
            "webhook.max_connections": "\(configuration.limits.maxConnections)",
        ]
    }
}
