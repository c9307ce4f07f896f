import Deployments
import HTTPTransport

/// Posts a deployment record to a collector's webhook (`audit deploy --collector URL`), signed with
/// the shared secret: the common CI case, a runner on another machine than the Docker host.
/// This is the auditor's own API, never Docker's: `DockerClient` only ever sends GET.
enum CollectorPost {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// A 503 (the collector's or `audit serve`'s store is briefly away: PostgreSQL restarting) is tried
    /// again after its Retry-After, up to this many times: a deploy step should not fail for a blip.
    static let attemptsOn503 = 5

    static func send(_ record: DeploymentRecord, to base: String, secret: String) async throws {
        var attempt = 1
        while true {
            do {
                return try await sendOnce(record, to: base, secret: secret)
            } catch let busy as Unavailable where attempt < attemptsOn503 {
                Terminal.error("audit: \(busy.description); trying again in \(busy.retryAfterSeconds) s (attempt \(attempt + 1) of \(attemptsOn503))")
                try await Task.sleep(for: .seconds(busy.retryAfterSeconds))
                attempt += 1
            }
        }
    }

    /// A 503 answer, with how long the server asked to wait (1…10 s).
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
        let retryAfterSeconds: Int
    }

    private static func sendOnce(_ record: DeploymentRecord, to base: String, secret: String) async throws {
        let body = Array(record.wireJSON().utf8)
        // One delivery id per post of the record (its start, its finish): a retry of either is
        // recognised, and the signed id and time keep a captured post from being replayed later.
        let signed = WebhookSignature.standardWebhooksHeaders(
            body: body, id: "\(record.id):\(record.status.rawValue)", secret: secret, now: .now())
        let url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/deployments"
        let request = HTTPRequest(url: url, method: .post(body: body, contentType: "application/json"),
                                  headers: signed.map { (name: $0.0, value: $0.1) }, timeoutSeconds: 30)
        let response: HTTPClient.Response
        do throws(TransferError) {
            response = try await HTTPClient.send(request, maxBodyBytes: 64 << 10)
        } catch .unreachable(_, let reason) {
            throw Failed(description: "cannot reach the collector at \(url): \(reason); check --collector and that `audit collect --listen` runs there")
        } catch .cancelled {
            throw Failed(description: "posting to the collector at \(url) was cancelled")
        } catch {
            throw Failed(description: "\(error); check --collector")
        }
        if response.status == 503 {
            let wait = response.headers.first { $0.key.lowercased() == "retry-after" }.flatMap { Int($0.value.trimmingSpaces()) } ?? 3
            throw Unavailable(description: "the collector at \(url) cannot store the record now (503): \(String(decoding: response.body.prefix(300), as: UTF8.self))",
                              retryAfterSeconds: min(max(wait, 1), 10))
        }
        guard (200..<300).contains(response.status) else {
            throw Failed(description: "the collector at \(url) refused the deployment record (\(response.status)): \(String(decoding: response.body, as: UTF8.self))")
        }
    }
}
