/// One HTTP request as libcurl will send it: to a URL, over TCP (+TLS) or a unix socket.
public struct HTTPRequest: Sendable {
    public enum Method: Sendable, Equatable {
        case get
        /// The auditor's own outbound messages (deployment records to a collector, notifications),
        /// never Docker's API: `DockerClient` only builds `.get`.
        case post(body: [UInt8], contentType: String)
    }

    /// Client certificate and CA files, as Docker's `DOCKER_CERT_PATH` holds them.
    public struct TLSFiles: Sendable, Equatable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String
        public var verify: Bool

        public init(caFile: String, certFile: String, keyFile: String, verify: Bool) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.verify = verify
        }
    }

    public var url: String
    public var method: Method
    public var headers: [(name: String, value: String)]
    /// Connect through this unix socket; the URL's host is then only the Host header.
    public var unixSocketPath: String?
    public var tls: TLSFiles?
    /// nil for streams: `/events` is silent for hours on an idle host.
    public var timeoutSeconds: Int?

    public init(url: String, method: Method = .get, headers: [(name: String, value: String)] = [], unixSocketPath: String? = nil,
                tls: TLSFiles? = nil, timeoutSeconds: Int?) {
        self.url = url
        self.method = method
        self.headers = headers
        self.unixSocketPath = unixSocketPath
        self.tls = tls
        self.timeoutSeconds = timeoutSeconds
    }
}
