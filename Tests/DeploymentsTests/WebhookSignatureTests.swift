import AuditSupport
import Crypto
import Foundation
import Testing
@testable import Deployments

@Suite struct WebhookSignatureTests {
    let body = Array(#"{"id":"deploy-42","status":"success"}"#.utf8)
    let now = Timestamp(seconds: 1_714_557_600)

    private func verify(
        _ scheme: WebhookSignature.Scheme, _ headers: HTTPHeaderMap, secret: String = "s3cr3t", body: [UInt8]? = nil, now: Timestamp? = nil
    ) -> Result<WebhookSignature.Verified, WebhookSignatureError> {
        Result { () throws(WebhookSignatureError) in
            try WebhookSignature.verify(scheme, body: body ?? self.body, headers: headers, secret: secret, now: now ?? self.now)
        }
    }

    private func reason(_ result: Result<WebhookSignature.Verified, WebhookSignatureError>) -> String? {
        if case .failure(let error) = result { return error.description }
        return nil
    }

    @Test func auditSchemeAcceptsTheHMACOfTheBody() throws {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array("s3cr3t".utf8)))
        let header = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        #expect(WebhookSignature.auditSignature(body: body, secret: "s3cr3t") == header)
        let verified = try verify(.audit, ["x-audit-signature-256": header]).get()
        #expect(verified == WebhookSignature.Verified(scheme: .audit, webhookID: nil))
    }

    @Test func auditSchemeMatchesAnOpenSSLVector() throws {
        // printf '%s' '{"id":"deploy-42","status":"success"}' | openssl dgst -sha256 -hmac s3cr3t
        let header = "sha256=2e79f54a3b92a90ca7ecd374ddcda42a2205bd78110ab269710471fe7744a975"
        #expect(WebhookSignature.auditSignature(body: body, secret: "s3cr3t") == header)
        _ = try verify(.audit, ["X-Audit-Signature-256": header.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256=")]).get()
    }

    @Test func auditSchemeRejections() {
        #expect(reason(verify(.audit, [:])) == "missing signature header X-Audit-Signature-256")
        #expect(reason(verify(.audit, ["X-Audit-Signature-256": "2e79f54a"])) == "malformed signature header X-Audit-Signature-256: expected sha256=<64 hex digits>")
        #expect(reason(verify(.audit, ["X-Audit-Signature-256": "sha256=" + String(repeating: "0", count: 64)])) == "signature mismatch")
        let valid = WebhookSignature.auditSignature(body: body, secret: "s3cr3t")
        #expect(reason(verify(.audit, ["X-Audit-Signature-256": valid], body: body + [0x20])) == "signature mismatch")
        #expect(reason(verify(.audit, ["X-Audit-Signature-256": valid], secret: "other")) == "signature mismatch")
        #expect(reason(verify(.audit, ["X-Audit-Signature-256": valid], secret: "")) == "invalid secret: empty")
    }

    @Test func githubDocumentedVector() throws {
        // From GitHub's "Validating webhook deliveries", checked with openssl dgst -sha256 -hmac.
        let headers: HTTPHeaderMap = ["X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"]
        let verified = try verify(.github, headers, secret: "It's a Secret to Everybody", body: Array("Hello, World!".utf8)).get()
        #expect(verified.scheme == .github)
        #expect(reason(verify(.github, headers, secret: "It's a Secret to Everybody", body: Array("Hello, World?".utf8))) == "signature mismatch")
        #expect(reason(verify(.github, ["X-Audit-Signature-256": "sha256=00"])) == "missing signature header X-Hub-Signature-256")
    }

    @Test func gitlabComparesTheToken() throws {
        _ = try verify(.gitlab, ["X-Gitlab-Token": "s3cr3t"]).get()
        #expect(reason(verify(.gitlab, ["X-Gitlab-Token": "s3cr3T"])) == "token mismatch")
        #expect(reason(verify(.gitlab, ["X-Gitlab-Token": "s3cr3t-longer"])) == "token mismatch")
        #expect(reason(verify(.gitlab, [:])) == "missing signature header X-Gitlab-Token")
    }

    /// The Standard Webhooks reference vector, checked with openssl on the base64-decoded key.
    let standardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let standardBody = Array(#"{"test": 2432232314}"#.utf8)
    let standardSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    private func standardHeaders(signature: String, timestamp: String = "1614265330") -> HTTPHeaderMap {
        ["webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": timestamp, "webhook-signature": signature]
    }

    @Test func standardWebhooksReferenceVector() throws {
        let at = Timestamp(seconds: 1_614_265_330 + 120)
        let verified = try verify(.standardWebhooks, standardHeaders(signature: standardSignature), secret: standardSecret, body: standardBody, now: at).get()
        #expect(verified == WebhookSignature.Verified(scheme: .standardWebhooks, webhookID: "msg_p5jXN8AQM9LWM0D4loKWxJek"))
        // During secret rotation several signatures are listed; one valid v1 is enough.
        let listed = "v1a,ignored v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + standardSignature
        _ = try verify(.standardWebhooks, standardHeaders(signature: listed), secret: standardSecret, body: standardBody, now: at).get()
    }

    @Test func standardWebhooksWithARawSecret() throws {
        let secret = "plain-secret"
        let signed = Array("msg_1.1714557600.".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
        let headers: HTTPHeaderMap = ["Webhook-Id": "msg_1", "Webhook-Timestamp": "1714557600", "Webhook-Signature": "v1," + Data(mac).base64EncodedString()]
        #expect(try verify(.standardWebhooks, headers, secret: secret).get().webhookID == "msg_1")
    }

    @Test func standardWebhooksRejections() {
        let at = Timestamp(seconds: 1_614_265_330)
        func check(_ headers: HTTPHeaderMap, now: Timestamp = at, body: [UInt8]? = nil, secret: String? = nil) -> String? {
            reason(verify(.standardWebhooks, headers, secret: secret ?? standardSecret, body: body ?? standardBody, now: now))
        }
        #expect(check(standardHeaders(signature: standardSignature), now: at.adding(nanoseconds: 301_000_000_000)) == "timestamp outside the 5 minute tolerance")
        #expect(check(standardHeaders(signature: standardSignature), now: at.adding(nanoseconds: -301_000_000_000)) == "timestamp outside the 5 minute tolerance")
        #expect(check(standardHeaders(signature: standardSignature), now: at.adding(nanoseconds: 300_000_000_000)) == nil)
        #expect(check(standardHeaders(signature: standardSignature), body: standardBody + [0x0A]) == "signature mismatch")
        // The timestamp is signed: moving it invalidates the signature.
        #expect(check(standardHeaders(signature: standardSignature, timestamp: "1614265331")) == "signature mismatch")
        #expect(check(standardHeaders(signature: "v2,abc")) == "malformed signature header webhook-signature: expected v1,<base64>")
        #expect(check(standardHeaders(signature: standardSignature, timestamp: "soon")) == "malformed signature header webhook-timestamp: expected unix seconds")
        #expect(check(["webhook-timestamp": "1614265330", "webhook-signature": standardSignature]) == "missing signature header webhook-id")
        #expect(check(standardHeaders(signature: standardSignature), secret: "whsec_***") == "invalid secret: whsec_ secret is not valid base64")
    }

    @Test func headerMapIgnoresCaseAndDetectsTheScheme() {
        var headers = HTTPHeaderMap([("X-Hub-Signature-256", "sha256=1"), ("x-hub-signature-256", "sha256=2")])
        #expect(headers["X-HUB-SIGNATURE-256"] == "sha256=2")
        #expect(WebhookSignature.Scheme.detect(in: headers) == .github)
        headers["X-Hub-Signature-256"] = nil
        headers["Webhook-Signature"] = "v1,x"
        #expect(WebhookSignature.Scheme.detect(in: headers) == .standardWebhooks)
        #expect(WebhookSignature.Scheme.detect(in: [:]) == nil)
    }
}
