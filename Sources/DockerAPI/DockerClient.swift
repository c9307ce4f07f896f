import HTTPTransport
import Logging

/// Read-only client of the Docker Engine API. Every request is a GET: the auditor observes and never
/// changes production.
public struct DockerClient: Sendable {
    public let host: DockerHost
    /// The API version requests are made with, e.g. `1.41`; set by `negotiate()`.
    public private(set) var apiVersion: String
    /// Oldest API we speak: Engine 20.10.
    public static let minimumAPIVersion = "1.41"

    public init(host: DockerHost, apiVersion: String = DockerClient.minimumAPIVersion) {
        self.host = host
        self.apiVersion = apiVersion
    }

    /// Asks the daemon which API version it speaks (the `Api-Version` header of `/_ping`) and uses it.
    /// Newer daemons keep serving older versions, but 1.52+ drops the legacy event fields: the decoder
    /// handles both, so the daemon's own version is always right.
    @discardableResult
    public mutating func negotiate() async throws(DockerError) -> String {
        let response = try await get("/_ping", versioned: false)
        guard let version = response.headers["api-version"], !version.isEmpty else {
            throw .invalidResponse(path: "/_ping", reason: "no Api-Version header")
        }
        guard Self.compare(version, Self.minimumAPIVersion) >= 0 else { throw .unsupportedAPI(version) }
        apiVersion = version
        return version
    }

    /// `GET /containers/json?all=1`.
    public func listContainers() async throws(DockerError) -> [ContainerSummary] {
        try await getJSON("/containers/json?all=1", as: [ContainerSummary].self)
    }

    /// `GET /containers/{id}/json`, or nil when the container no longer exists.
    public func inspectContainer(_ id: String) async throws(DockerError) -> ContainerInspect? {
        try await getJSONIfFound("/containers/\(id.percentEncodedPathComponent)/json", as: ContainerInspect.self)
    }

    /// The raw JSON of `GET /containers/{id}/json` (the drift check keeps every field).
    public func inspectContainerRaw(_ id: String) async throws(DockerError) -> [UInt8]? {
        let path = "/containers/\(id.percentEncodedPathComponent)/json"
        let response = try await get(path)
        if response.status == 404 { return nil }
        try Self.check(response, path: path)
        return response.body
    }

    /// `GET /exec/{id}/json`, or nil when the daemon has forgotten the exec (~5 minutes after it ended).
    public func inspectExec(_ id: String) async throws(DockerError) -> ExecInspect? {
        try await getJSONIfFound("/exec/\(id.percentEncodedPathComponent)/json", as: ExecInspect.self)
    }

    /// `GET /images/{id}/json`, or nil when the image is not present.
    public func inspectImage(_ reference: String) async throws(DockerError) -> ImageInspect? {
        try await getJSONIfFound("/images/\(reference.percentEncodedPathComponent)/json", as: ImageInspect.self)
    }

    /// `GET /events` as an `AsyncSequence` of decoded batches; see `EventStream`.
    public func events(since: Int64? = nil, until: Int64? = nil, filters: String? = nil) -> EventStream {
        var query: [String] = []
        if let since { query.append("since=\(Self.unixSecondsArgument(since))") }
        if let until { query.append("until=\(Self.unixSecondsArgument(until))") }
        if let filters { query.append("filters=\(filters.percentEncodedQueryValue)") }
        let path = "/v\(apiVersion)/events" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return EventStream(host: host, path: path)
    }

    /// `sec.nnnnnnnnn`, the form the daemon parses without losing nanoseconds.
    static func unixSecondsArgument(_ nanos: Int64) -> String {
        let secs = nanos / 1_000_000_000
        let frac = String(nanos % 1_000_000_000)
        return "\(secs).\(String(repeating: "0", count: 9 - frac.count))\(frac)"
    }

    // MARK: - plumbing

    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    /// Stops when the calling task is cancelled (curl notices within a second), so a shutdown never
    /// waits for the 60 s timeout of an inspect.
    func get(_ path: String, versioned: Bool = true) async throws(DockerError) -> Response {
        let fullPath = versioned ? "/v\(apiVersion)\(path)" : path
        do throws(TransferError) {
            let response = try await HTTPClient.send(host.get(fullPath, timeoutSeconds: 60))
            return Response(status: response.status, headers: response.headers, body: response.body)
        } catch {
            throw DockerError(error, host: host)
        }
    }

    private func getJSON<T: Decodable>(_ path: String, as type: T.Type) async throws(DockerError) -> T {
        let response = try await get(path)
        try Self.check(response, path: path)
        return try JSONBody.decode(type, from: response.body, path: path)
    }

    private func getJSONIfFound<T: Decodable>(_ path: String, as type: T.Type) async throws(DockerError) -> T? {
        let response = try await get(path)
        if response.status == 404 { return nil }
        try Self.check(response, path: path)
        return try JSONBody.decode(type, from: response.body, path: path)
    }

    static func check(_ response: Response, path: String) throws(DockerError) {
        guard response.status == 200 else {
            throw .http(status: response.status, path: path, message: JSONBody.errorMessage(response.body))
        }
    }

    /// Orders dotted API versions numerically (`1.9` < `1.41`).
    public static func compare(_ a: String, _ b: String) -> Int {
        let x = a.split(separator: ".").map { Int($0) ?? 0 }
        let y = b.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : 0
            let r = i < y.count ? y[i] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}

extension String {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    var percentEncodedQueryValue: String { percentEncoded(keeping: Self.unreserved) }
    var percentEncodedPathComponent: String { percentEncoded(keeping: Self.unreserved.union(":@".utf8)) }

    private func percentEncoded(keeping allowed: Set<UInt8>) -> String {
        var out = ""
        for b in utf8 {
            if allowed.contains(b) { out.unicodeScalars.append(Unicode.Scalar(b)) }
            else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%"
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 15)]))
            }
        }
        return out
    }
}
