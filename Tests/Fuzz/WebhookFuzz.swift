import AuditSupport
@testable import Deployments

/// The first byte picks what the rest is: a body for `/v1/deployments` (which must round-trip through
/// `wireJSON`), a GitHub `deployment` or `deployment_status` body, a GitLab hook body, a request's
/// header block and body for signature verification, or a time as a flag or a payload spells it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhook(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 6 {
    case 0:
        guard let record = try? DeploymentRecord.parseWire(body, defaultSource: .webhook) else { return 0 }
        let again = try? DeploymentRecord.parseWire(Array(record.wireJSON().utf8), defaultSource: .cli)
        require(again == record, "wireJSON did not round-trip: \(record.wireJSON())")
    case 1: _ = try? GitHubDeploymentPayload.map(event: "deployment", body: body)
    case 2: _ = try? GitHubDeploymentPayload.map(event: "deployment_status", body: body)
    case 3: _ = try? GitLabDeploymentHook.map(body: body)
    case 4: verifySignatures(body)
    default: parseTimes(String(decoding: body, as: UTF8.self))
    }
    return 0
}

/// `Name: value` lines, an empty line, then the body.
private func verifySignatures(_ request: [UInt8]) {
    var headers = HTTPHeaderMap()
    var rest = request[...]
    while let newline = rest.firstIndex(of: 0x0A) {
        let line = String(decoding: rest[..<newline], as: UTF8.self)
        rest = rest[(newline + 1)...]
        guard let colon = line.firstIndex(of: ":") else { break }
        headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingSpaces()
    }
    let now = Timestamp(seconds: 1_714_557_600)
    for scheme in WebhookSignature.Scheme.allCases {
        for secret in ["s3cr3t", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            _ = try? WebhookSignature.verify(scheme, body: Array(rest), headers: headers, secret: secret, now: now)
        }
    }
    _ = WebhookSignature.Scheme.detect(in: headers)
}

private func parseTimes(_ text: String) {
    if let time = RFC3339.parse(text) {
        require(RFC3339.parse(RFC3339.format(time)) == time, "RFC 3339 did not round-trip: \(text)")
    }
    let now = Timestamp(seconds: 1_714_557_600)
    if let time = TimeArgument.parse(text, now: now) { _ = RFC3339.format(time) }
    _ = ByteSize.parse(text).map(ByteSize.format)
}
