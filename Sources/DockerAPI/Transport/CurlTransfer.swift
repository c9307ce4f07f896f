import CCurl
import Synchronization

/// One blocking HTTP GET through libcurl, over a unix socket or TCP (+TLS). Only GET exists here: the
/// auditor never changes production, and a transport that cannot send anything else makes that
/// structural rather than a promise.
final class CurlTransfer {
    struct Response {
        var status: Int
        var headers: [String: String]
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let handle: UnsafeMutableRawPointer
    private let url: String
    private var headers: [String: String] = [:]
    private var status = 0
    private var headersComplete = false
    private var onHeaders: ((Response) -> Void)?
    private var onData: (UnsafeRawBufferPointer) -> Void
    private let cancelled: CancelFlag?
    /// curl writes its detailed message here; it keeps the pointer, so it must not move.
    private let errorBuffer: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        p.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return p
    }()

    /// - Parameters:
    ///   - timeoutSeconds: nil for streams: `/events` is silent for hours on an idle host.
    init(host: DockerHost, path: String, timeoutSeconds: Int?, cancelled: CancelFlag?,
         onHeaders: ((Response) -> Void)? = nil, onData: @escaping (UnsafeRawBufferPointer) -> Void) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
        self.url = host.baseURL + path
        self.cancelled = cancelled
        self.onHeaders = onHeaders
        self.onData = onData
        configure(host: host, timeoutSeconds: timeoutSeconds)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func configure(host: DockerHost, timeoutSeconds: Int?) {
        audit_curl_setopt_string(handle, CURLOPT_URL, url)
        audit_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        audit_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        audit_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 5)
        audit_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        audit_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if let timeoutSeconds { audit_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds) }
        switch host.endpoint {
        case .unix(let path): audit_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, path)
        case .tcp: break
        }
        if let tls = host.tls {
            audit_curl_setopt_string(handle, CURLOPT_CAINFO, tls.caFile)
            audit_curl_setopt_string(handle, CURLOPT_SSLCERT, tls.certFile)
            audit_curl_setopt_string(handle, CURLOPT_SSLKEY, tls.keyFile)
            audit_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1 : 0)
            audit_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2 : 0)
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        audit_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        audit_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        audit_curl_setopt_write_function(handle) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            if transfer.cancelled?.isSet == true { return 0 }
            transfer.finishHeadersIfNeeded()
            transfer.onData(UnsafeRawBufferPointer(start: data, count: n))
            return n
        }
        audit_curl_setopt_header_function(handle) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            transfer.header(UnsafeRawBufferPointer(start: data, count: n))
            return n
        }
        if cancelled != nil {
            audit_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
            audit_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
            audit_curl_setopt_xferinfo_function(handle) { context, _, _, _, _ in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                return transfer.cancelled?.isSet == true ? 1 : 0
            }
        }
    }

    private func header(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: " \r\n")
        if text.hasPrefix("HTTP/") {
            // A new status line starts a new header block (e.g. after `100 Continue`).
            headers = [:]
            headersComplete = false
            return
        }
        if text.isEmpty {
            finishHeadersIfNeeded()
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        headers[name] = String(text[text.index(after: colon)...]).trimmingCharacters(in: " ")
    }

    private func finishHeadersIfNeeded() {
        guard !headersComplete else { return }
        headersComplete = true
        var code = 0
        audit_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        status = code
        onHeaders?(Response(status: code, headers: headers))
    }

    /// Runs the transfer to its end on the calling thread (never call from the cooperative pool).
    func perform(hostDescription: String) throws(DockerError) -> Response {
        let code = curl_easy_perform(handle)
        if cancelled?.isSet == true { throw .cancelled }
        guard code == CURLE_OK else {
            let detail = String(validatingCString: errorBuffer) ?? ""
            let reason = detail.isEmpty ? (String(validatingCString: curl_easy_strerror(code)) ?? "curl error \(code.rawValue)") : detail
            throw .unreachable(host: hostDescription, reason: reason)
        }
        finishHeadersIfNeeded()
        return Response(status: status, headers: headers)
    }
}

/// Set from any thread to stop a running transfer; curl polls it at least once a second.
public final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { flag.load(ordering: .relaxed) }
    public func set() { flag.store(true, ordering: .relaxed) }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set.unicodeScalars)
        var s = Substring(self).unicodeScalars
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(String.UnicodeScalarView(s))
    }
}
