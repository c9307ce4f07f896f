import CCurl

/// One blocking HTTP transfer through libcurl, over a unix socket or TCP (+TLS). Owns its easy handle
/// and header list and frees them in `deinit`. Every option is checked: a request curl cannot set up
/// as asked fails before anything is sent. Blocking: `HTTPClient.send` runs it on a thread of its own,
/// and a stream's reader (`EventStream`) calls `perform` from its own thread.
public final class CurlTransfer {
    public struct Head: Sendable {
        public var status: Int
        public var headers: [String: String]
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let handle: UnsafeMutableRawPointer
    private let url: String
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var headers: [String: String] = [:]
    private var status = 0
    private var headersComplete = false
    private var setupFailure: String?
    private var onHeaders: ((Head) -> Void)?
    private var onData: (UnsafeRawBufferPointer) -> Void
    private let cancelled: CancelFlag?
    /// curl writes its detailed message here; it keeps the pointer, so it must not move.
    private let errorBuffer: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        p.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return p
    }()

    /// `onHeaders` runs once the head is complete; `onData` for each chunk of the body, on the
    /// thread that calls `perform`.
    public init(_ request: HTTPRequest, cancelled: CancelFlag?, onHeaders: ((Head) -> Void)? = nil, onData: @escaping (UnsafeRawBufferPointer) -> Void) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
        self.url = request.url
        self.cancelled = cancelled
        self.onHeaders = onHeaders
        self.onData = onData
        configure(request)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func set(_ name: String, _ rc: CURLcode) {
        guard rc != CURLE_OK, setupFailure == nil else { return }
        setupFailure = "curl refused \(name): " + (String(validatingCString: curl_easy_strerror(rc)) ?? "error \(rc.rawValue)")
    }

    private func appendHeader(_ line: String) {
        guard let list = curl_slist_append(headerList, line) else {
            if setupFailure == nil { setupFailure = "out of memory building the request's headers" }
            return
        }
        headerList = list
    }

    private func configure(_ request: HTTPRequest) {
        set("CURLOPT_URL", audit_curl_setopt_string(handle, CURLOPT_URL, url))
        switch request.method {
        case .get:
            set("CURLOPT_HTTPGET", audit_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case .post(let body, let contentType):
            set("CURLOPT_POST", audit_curl_setopt_long(handle, CURLOPT_POST, 1))
            // The plain `long` size: bodies here are a few KiB (CURLOPT_POSTFIELDSIZE_LARGE takes a curl_off_t).
            set("CURLOPT_POSTFIELDSIZE", audit_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
            // curl copies the body now, so it does not depend on this array's lifetime.
            body.withUnsafeBytes { raw in
                let base = raw.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
                set("CURLOPT_COPYPOSTFIELDS", audit_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base)))
            }
            appendHeader("Content-Type: \(contentType)")
            // No `Expect: 100-continue` round trip for small bodies.
            appendHeader("Expect:")
        }
        for (name, value) in request.headers { appendHeader("\(name): \(value)") }
        if let headerList { set("CURLOPT_HTTPHEADER", audit_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList)) }
        set("CURLOPT_NOSIGNAL", audit_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set("CURLOPT_CONNECTTIMEOUT", audit_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 5))
        set("CURLOPT_TCP_KEEPALIVE", audit_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        set("CURLOPT_ERRORBUFFER", audit_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        if let timeout = request.timeoutSeconds { set("CURLOPT_TIMEOUT", audit_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeout)) }
        if let socket = request.unixSocketPath { set("CURLOPT_UNIX_SOCKET_PATH", audit_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, socket)) }
        if let tls = request.tls {
            set("CURLOPT_CAINFO", audit_curl_setopt_string(handle, CURLOPT_CAINFO, tls.caFile))
            set("CURLOPT_SSLCERT", audit_curl_setopt_string(handle, CURLOPT_SSLCERT, tls.certFile))
            set("CURLOPT_SSLKEY", audit_curl_setopt_string(handle, CURLOPT_SSLKEY, tls.keyFile))
            set("CURLOPT_SSL_VERIFYPEER", audit_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1 : 0))
            set("CURLOPT_SSL_VERIFYHOST", audit_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2 : 0))
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        set("CURLOPT_WRITEDATA", audit_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        set("CURLOPT_HEADERDATA", audit_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        set("CURLOPT_WRITEFUNCTION", audit_curl_setopt_write_function(handle) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            if transfer.cancelled?.isSet == true { return 0 }
            transfer.finishHeadersIfNeeded()
            transfer.onData(UnsafeRawBufferPointer(start: data, count: n))
            return n
        })
        set("CURLOPT_HEADERFUNCTION", audit_curl_setopt_header_function(handle) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            transfer.header(UnsafeRawBufferPointer(start: data, count: n))
            return n
        })
        if cancelled != nil {
            set("CURLOPT_NOPROGRESS", audit_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
            set("CURLOPT_XFERINFODATA", audit_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
            set("CURLOPT_XFERINFOFUNCTION", audit_curl_setopt_xferinfo_function(handle) { context, _, _, _, _ in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                return transfer.cancelled?.isSet == true ? 1 : 0
            })
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
        onHeaders?(Head(status: code, headers: headers))
    }

    /// Runs the transfer to its end on the calling thread (never call from the cooperative pool).
    public func perform() throws(TransferError) -> Head {
        if let setupFailure { throw .setup(url: url, reason: setupFailure) }
        if cancelled?.isSet == true { throw .cancelled }
        let code = curl_easy_perform(handle)
        // Only an aborted transfer was cancelled: one that completed as the flag was set has its answer.
        if code != CURLE_OK, cancelled?.isSet == true { throw .cancelled }
        guard code == CURLE_OK else {
            let detail = String(validatingCString: errorBuffer) ?? ""
            let reason = detail.isEmpty ? (String(validatingCString: curl_easy_strerror(code)) ?? "curl error \(code.rawValue)") : detail
            throw .unreachable(url: url, reason: reason)
        }
        finishHeadersIfNeeded()
        return Head(status: status, headers: headers)
    }
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
