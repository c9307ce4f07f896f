import CCurl
import Deployments
import DockerAPI

/// Posts a deployment record to a collector's webhook (`audit deploy --collector URL`), signed with
/// the shared secret: the common CI case, a runner on another machine than the Docker host.
/// This is the auditor's own API, never Docker's: the Docker transport stays GET-only.
enum CollectorPost {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func send(_ record: DeploymentRecord, to base: String, secret: String) async throws {
        let body = Array(record.wireJSON().utf8)
        // One delivery id per post of the record (its start, its finish): a retry of either is
        // recognised, and the signed id and time keep a captured post from being replayed later.
        let signed = WebhookSignature.standardWebhooksHeaders(
            body: body, id: "\(record.id):\(record.status.rawValue)", secret: secret, now: .now())
        let url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/deployments"
        let (status, answer) = try await OwnThread.run("collector-post") { () throws(Failed) -> (Int, String) in
            guard let handle = curl_easy_init() else { throw Failed(description: "curl_easy_init failed") }
            defer { curl_easy_cleanup(handle) }
            var headers: UnsafeMutablePointer<curl_slist>?
            headers = curl_slist_append(headers, "Content-Type: application/json")
            for (name, value) in signed { headers = curl_slist_append(headers, "\(name): \(value)") }
            defer { curl_slist_free_all(headers) }
            final class Sink { var bytes: [UInt8] = [] }
            let sink = Sink()
            audit_curl_setopt_string(handle, CURLOPT_URL, url)
            audit_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers)
            audit_curl_setopt_long(handle, CURLOPT_TIMEOUT, 30)
            audit_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            audit_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
            audit_curl_setopt_write_function(handle) { data, size, count, context in
                let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                sink.bytes += UnsafeRawBufferPointer(start: data, count: size * count)
                return size * count
            }
            let code = body.withUnsafeBytes { raw -> CURLcode in
                audit_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, raw.count)
                audit_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                return curl_easy_perform(handle)
            }
            guard code == CURLE_OK else {
                throw Failed(description: "cannot reach the collector at \(url): \(String(validatingCString: curl_easy_strerror(code)) ?? "curl error")")
            }
            var status = 0
            audit_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return (status, String(decoding: sink.bytes, as: UTF8.self))
        }
        guard (200..<300).contains(status) else {
            throw Failed(description: "the collector at \(url) refused the deployment record (\(status)): \(answer)")
        }
    }
}
