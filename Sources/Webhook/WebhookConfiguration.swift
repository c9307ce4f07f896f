import AuditSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How the deployment webhook listener binds and authenticates.
public struct WebhookConfiguration: Sendable {
    public var host: String
    /// 0 binds an ephemeral port (tests).
    public var port: Int
    /// The shared secret: the HMAC key for `X-Audit-Signature-256`, Standard Webhooks and GitHub, and
    /// the token GitLab sends. Nil only together with `insecureNoAuth` on a loopback host.
    public var secret: [UInt8]?
    /// Accept unsigned requests when no secret is set. `validate()` allows it on loopback hosts only.
    public var insecureNoAuth: Bool
    /// The largest body accepted; larger ones are answered 413 without being read into memory.
    public var maxBodyBytes: Int

    public init(host: String, port: Int, secret: [UInt8]?, insecureNoAuth: Bool = false, maxBodyBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.secret = secret
        self.insecureNoAuth = insecureNoAuth
        self.maxBodyBytes = maxBodyBytes
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

    /// Refuses configurations that would accept forged deployments: no secret outside loopback, or a
    /// secret the signature schemes cannot use.
    public func validate() throws(WebhookConfigurationError) {
        guard (0...65535).contains(port) else { throw .invalidListen("\(host):\(port)", reason: "port must be a number from 1 to 65535") }
        guard maxBodyBytes > 0 else { throw .invalidBodyLimit(maxBodyBytes) }
        guard let secret else {
            guard insecureNoAuth else { throw .missingSecret }
            guard LoopbackHost.contains(host) else { throw .unauthenticatedOffLoopback(host) }
            return
        }
        guard !secret.isEmpty else { throw .invalidSecret("the secret is empty") }
        guard let text = String(validating: secret, as: UTF8.self) else { throw .invalidSecret("the secret is not UTF-8 text") }
        // Standard Webhooks secrets are `whsec_<base64 key>`; catching a truncated one here beats a 500 per delivery.
        if text.hasPrefix("whsec_"), Data(base64Encoded: String(text.dropFirst(6))) == nil {
            throw .invalidSecret("a whsec_ secret must be followed by base64")
        }
    }

    /// The secret as the signature verifier takes it; nil when requests go unauthenticated.
    var secretText: String? {
        secret.map { String(decoding: $0, as: UTF8.self) }
    }
}
