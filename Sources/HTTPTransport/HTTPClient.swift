import AuditSupport

/// The one owner of curl handles: every request the auditor makes, to Docker or to its own peers,
/// runs here, on a thread of its own, and stops when the calling task is cancelled.
public enum HTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        /// The answer went on past the cap and only its first `maxBodyBytes` are here (`.keepHead`).
        public var truncated = false
    }

    /// What a body past its cap does: stop the transfer (a Docker answer must be whole), or keep its
    /// head and read the rest into nothing (a peer's answer matters by its status; its text is for the log).
    public enum Overflow: Sendable {
        case fail, keepHead
    }

    /// Sends `request` and reads the whole answer; a body past `maxBodyBytes` stops the transfer
    /// with `.tooLarge` rather than being cut short without a word, or with `.keepHead`, is cut and said so.
    public static func send(_ request: HTTPRequest, maxBodyBytes: Int = 64 << 20, overflow: Overflow = .fail) async throws(TransferError) -> Response {
        let cancel = CancelFlag()
        let result: Result<Response, TransferError> = await withTaskCancellationHandler {
            await OwnThread.run("http-\(request.method == .get ? "get" : "post")") { () -> Result<Response, TransferError> in
                var body: [UInt8] = []
                var overflowed = false
                let transfer = CurlTransfer(request, cancelled: cancel) { chunk in
                    guard chunk.count <= maxBodyBytes - body.count else {
                        overflowed = true
                        if overflow == .keepHead {
                            body.append(contentsOf: chunk.prefix(max(0, maxBodyBytes - body.count)))
                        } else {
                            cancel.set()
                        }
                        return
                    }
                    body.append(contentsOf: chunk)
                }
                do throws(TransferError) {
                    let head = try transfer.perform()
                    return .success(Response(status: head.status, headers: head.headers, body: body, truncated: overflowed))
                } catch {
                    return .failure(overflowed ? .tooLarge(url: request.url, limitBytes: maxBodyBytes) : error)
                }
            }
        } onCancel: {
            cancel.set()
        }
        return try result.get()
    }
}
