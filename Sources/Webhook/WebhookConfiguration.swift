import AuditSupport
import Deployments
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How the deployment webhook listener binds, authenticates and bounds what senders may hold.
public struct WebhookConfiguration: Sendable {
    public var host: String
    /// 0 binds an ephemeral port (tests).
    public var port: Int
    /// One secret per route; empty only together with `insecureNoAuth` on a loopback host.
    public var secrets: RouteSecrets
    /// Accept unsigned requests when no secret is set. `validate()` allows it on loopback hosts only.
    public var insecureNoAuth: Bool
    /// Also accept the bare `X-Audit-Signature-256` HMAC on `/v1/deployments`. It signs the body
    /// alone, without a time or delivery id, so a captured request replays forever; off unless asked.
    public var acceptBareHMAC: Bool
    public var limits: WebhookLimits
    /// What a deployment record may claim about its own window.
    public var recordBounds: DeploymentBounds

    public init(
        host: String, port: Int, secrets: RouteSecrets, insecureNoAuth: Bool = false, acceptBareHMAC: Bool = false,
        limits: WebhookLimits = WebhookLimits(), recordBounds: DeploymentBounds = DeploymentBounds()
    ) {
        self.host = host
        self.port = port
        self.secrets = secrets
        self.insecureNoAuth = insecureNoAuth
        self.acceptBareHMAC = acceptBareHMAC
        self.limits = limits
        self.recordBounds = recordBounds
    }

    /// Parses a `--webhook-listen` value: a bare port (`8780`, meaning 127.0.0.1), `HOST:PORT`, or
    /// `[IPV6]:PORT`. A bare port binds loopback because listening on every interface should be a choice
    /// someone wrote down.
    public static func parseListen(_ text: String) throws(WebhookConfigurationError) -> (host: String, port: Int) {
        let trimmed = text.trimmingSpaces()
        if trimmed.allSatisfy(\.isASCIIDigit) {
            return ("127.0.0.1", try port(trimmed, in: text))
        }
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                throw .invalidListen(text, reason: "expected [IPV6]:PORT")
            }
            let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            guard !host.isEmpty else { throw .invalidListen(text, reason: "empty address between the brackets") }
            return (host, try port(String(trimmed[trimmed.index(close, offsetBy: 2)...]), in: text))
        }
        let pieces = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            if pieces.count > 2 { throw .invalidListen(text, reason: "put an IPv6 address in brackets, as in [::1]:8780") }
            throw .invalidListen(text, reason: "expected PORT, HOST:PORT or [IPV6]:PORT")
        }
        guard !pieces[0].isEmpty else {
            throw .invalidListen(text, reason: "missing host before the port (use 0.0.0.0:\(pieces[1]) to listen on every interface)")
        }
        return (String(pieces[0]), try port(String(pieces[1]), in: text))
    }

    private static func port(_ digits: String, in text: String) throws(WebhookConfigurationError) -> Int {
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let port = Int(digits), (1...65535).contains(port) else {
            throw .invalidListen(text, reason: "port must be a number from 1 to 65535")
        }
        return port
    }

    /// Refuses configurations that would accept forged deployments: no secret outside loopback, a
    /// secret the signature schemes cannot use, or one secret shared by two routes.
    public func validate() throws(WebhookConfigurationError) {
        guard (0...65535).contains(port) else { throw .invalidListen("\(host):\(port)", reason: "port must be a number from 1 to 65535") }
        guard limits.maxBodyBytes > 0 else { throw .invalidBodyLimit(limits.maxBodyBytes) }
        guard limits.bodyBudgetBytes >= limits.maxBodyBytes else { throw .invalidLimit("the body budget must hold at least one largest body") }
        guard limits.maxConnections > 0 else { throw .invalidLimit("at least one connection must be allowed") }
        if secrets.isEmpty {
            guard insecureNoAuth else { throw .missingSecret }
            guard LoopbackHost.contains(host) else { throw .unauthenticatedOffLoopback(host) }
            return
        }
        guard !insecureNoAuth else { throw .invalidLimit("--insecure-no-auth cannot be combined with a secret") }
        let named = secrets.named
        for (index, (option, secret)) in named.enumerated() {
            guard !secret.isEmpty else { throw .invalidSecret("\(option): the secret is empty") }
            guard let text = String(validating: secret, as: UTF8.self) else { throw .invalidSecret("\(option): the secret is not UTF-8 text") }
            // Standard Webhooks secrets are `whsec_<base64 key>`; catching a truncated one here beats a 500 per delivery.
            if text.hasPrefix("whsec_"), Data(base64Encoded: String(text.dropFirst(6))) == nil {
                throw .invalidSecret("\(option): a whsec_ secret must be followed by base64")
            }
            for (other, otherSecret) in named[..<index] where Self.key(otherSecret) == Self.key(secret) {
                throw .sharedSecret(other, option)
            }
        }
    }

    /// The HMAC key a secret makes: a `whsec_` secret's decoded bytes, any other its text. A GitLab
    /// token `abc` and a `whsec_YWJj` deployments secret are the same key.
    private static func key(_ secret: [UInt8]) -> [UInt8] {
        let text = String(decoding: secret, as: UTF8.self)
        guard text.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(text.dropFirst(6))) else { return secret }
        return Array(decoded)
    }

    /// The secret `route` verifies with; nil when the route goes unauthenticated or is not served
    /// (see `serves(_:)`).
    func secretText(for route: DeploymentRoute) -> String? {
        let secret: [UInt8]?
        switch route {
        case .deployments: secret = secrets.deployments
        case .github: secret = secrets.github
        case .gitlab: secret = secrets.gitlab
        }
        return secret.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `route` answers at all: it has its secret, or nothing is authenticated (loopback only).
    func serves(_ route: DeploymentRoute) -> Bool {
        secrets.isEmpty ? insecureNoAuth : secretText(for: route) != nil
    }
}
