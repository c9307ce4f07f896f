import AuditSupport
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Authenticates a deployment webhook against a shared secret before its body is trusted.
public enum WebhookSignature {
    /// The signing conventions accepted.
    public enum Scheme: String, Sendable, CaseIterable {
        /// The auditor's own: `X-Audit-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
        case audit
        /// standardwebhooks.com: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`.
        case standardWebhooks = "standard-webhooks"
        /// GitHub: `X-Hub-Signature-256: sha256=<hex>`.
        case github
        /// GitLab: `X-Gitlab-Token` carries the secret itself.
        case gitlab

        /// The header whose presence identifies the scheme.
        public var headerName: String {
            switch self {
            case .audit: return "X-Audit-Signature-256"
            case .standardWebhooks: return "webhook-signature"
            case .github: return "X-Hub-Signature-256"
            case .gitlab: return "X-Gitlab-Token"
            }
        }

        /// The scheme whose header the request carries, for an endpoint that accepts several.
        public static func detect(in headers: HTTPHeaderMap) -> Scheme? {
            allCases.first { headers[$0.headerName] != nil }
        }
    }

    /// A request that passed verification.
    public struct Verified: Sendable, Equatable {
        public var scheme: Scheme
        /// The sender's idempotency key (`webhook-id`) where the scheme has one.
        public var webhookID: String?

        public init(scheme: Scheme, webhookID: String?) {
            self.scheme = scheme
            self.webhookID = webhookID
        }
    }

    /// How far a Standard Webhooks timestamp may be from now, either way, in seconds.
    public static let toleranceSeconds: Int64 = 300

    /// The most `v1,` entries one `webhook-signature` may list (a sender rotating secrets sends two).
    public static let maxSignatures = 8

    /// Checks `body` and `headers` against `secret` under `scheme`. `now` is passed in so the replay
    /// window is testable. For Standard Webhooks a `whsec_<base64>` secret is base64-decoded to the key;
    /// any other secret is used as its UTF-8 bytes.
    public static func verify(
        _ scheme: Scheme, body: [UInt8], headers: HTTPHeaderMap, secret: String, now: Timestamp
    ) throws(WebhookSignatureError) -> Verified {
        // An empty secret would make every unsigned request (and an empty GitLab token) pass.
        guard !secret.isEmpty else { throw .invalidSecret("empty") }
        switch scheme {
        case .audit, .github:
            try verifyHexHMAC(header: scheme.headerName, body: body, headers: headers, key: Array(secret.utf8))
            return Verified(scheme: scheme, webhookID: nil)
        case .standardWebhooks:
            return try verifyStandardWebhooks(body: body, headers: headers, secret: secret, now: now)
        case .gitlab:
            guard let token = headers[scheme.headerName] else { throw .missingHeader(scheme.headerName) }
            guard ConstantTime.equal(Array(token.utf8), Array(secret.utf8)) else { throw .tokenMismatch }
            return Verified(scheme: scheme, webhookID: nil)
        }
    }

    /// The hex SHA-256 of a delivery's body: how a replay under a new delivery id is recognised
    /// (GitHub signs the body alone, so its delivery id can be changed by whoever captured it).
    public static func bodyDigest(_ body: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: body))
    }

    /// The Standard Webhooks headers for `body`, for clients posting to the auditor (`audit deploy
    /// --collector`). The id is the idempotency key; a retry must send the same id and body.
    public static func standardWebhooksHeaders(body: [UInt8], id: String, secret: String, now: Timestamp) -> [(String, String)] {
        let key = standardWebhooksKey(secret) ?? Array(secret.utf8)
        let timestamp = String(now.seconds)
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).".utf8) + body, using: SymmetricKey(data: key))
        return [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", "v1," + Data(mac).base64EncodedString())]
    }

    /// The `X-Audit-Signature-256` value for `body`, for clients posting to the auditor.
    public static func auditSignature(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }

    private static func verifyHexHMAC(header: String, body: [UInt8], headers: HTTPHeaderMap, key: [UInt8]) throws(WebhookSignatureError) {
        guard let value = headers[header] else { throw .missingHeader(header) }
        let trimmed = value.trimmingSpaces()
        guard trimmed.hasPrefix("sha256="), let mac = Hex.decode(trimmed.dropFirst(7)), mac.count == SHA256.byteCount else {
            throw .malformedHeader(header, expected: "sha256=<64 hex digits>")
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: key)) else {
            throw .signatureMismatch
        }
    }

    private static func verifyStandardWebhooks(
        body: [UInt8], headers: HTTPHeaderMap, secret: String, now: Timestamp
    ) throws(WebhookSignatureError) -> Verified {
        guard let id = headers["webhook-id"] else { throw .missingHeader("webhook-id") }
        guard let timestampText = headers["webhook-timestamp"] else { throw .missingHeader("webhook-timestamp") }
        guard let signatures = headers["webhook-signature"] else { throw .missingHeader("webhook-signature") }
        // Digits only: `Int64("+17…")` would parse a sign, and the signed text must be the header as sent.
        guard !timestampText.isEmpty, timestampText.utf8.count <= 18, timestampText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let seconds = Int64(timestampText) else {
            throw .malformedHeader("webhook-timestamp", expected: "unix seconds")
        }
        // Eighteen digits at most keeps the difference far from Int64's range: no overflow trap on
        // a hostile timestamp, whoever sends it.
        guard (now.seconds - seconds).magnitude <= toleranceSeconds else { throw .timestampOutsideTolerance }

        guard let key = standardWebhooksKey(secret) else { throw .invalidSecret("whsec_ secret is not valid base64") }

        // The id and timestamp are signed with the body so neither can be swapped onto another payload.
        // The header values exactly as received, never a re-rendering of what was parsed from them.
        var signed = Array("\(id).\(timestampText).".utf8)
        signed.append(contentsOf: body)
        // Computed once: a header listing thousands of `v1,` entries must not cost an HMAC each.
        let expected = Array(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key)))

        // Several signatures may be listed while a sender rotates secrets; any one valid v1 entry passes.
        var sawV1 = false
        let entries = signatures.split(separator: " ").filter { $0.hasPrefix("v1,") }
        guard entries.count <= maxSignatures else {
            throw .malformedHeader("webhook-signature", expected: "at most \(maxSignatures) v1,<base64> entries")
        }
        for entry in entries {
            sawV1 = true
            guard let mac = Data(base64Encoded: String(entry.dropFirst(3))), mac.count == SHA256.byteCount else { continue }
            if ConstantTime.equal(Array(mac), expected) {
                return Verified(scheme: .standardWebhooks, webhookID: id)
            }
        }
        guard sawV1 else { throw .malformedHeader("webhook-signature", expected: "v1,<base64>") }
        throw .signatureMismatch
    }

    /// A `whsec_<base64>` secret's decoded key, any other secret's UTF-8 bytes; nil for bad base64.
    private static func standardWebhooksKey(_ secret: String) -> [UInt8]? {
        guard secret.hasPrefix("whsec_") else { return Array(secret.utf8) }
        return Data(base64Encoded: String(secret.dropFirst(6))).map { Array($0) }
    }
}
