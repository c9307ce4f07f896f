import AuditSupport
import Hummingbird

/// Small JSON answers built with `JSONWriter`, so every route spells its bodies the same way.
enum JSONResponse {
    /// An object of string fields in the given order.
    static func make(_ status: HTTPResponse.Status, _ fields: KeyValuePairs<String, String>) -> Response {
        var w = JSONWriter()
        w.beginObject()
        for (key, value) in fields { w.field(key, value) }
        w.endObject()
        return make(status, json: w.text)
    }

    static func make(_ status: HTTPResponse.Status, json: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json))
        )
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        make(status, ["error": message])
    }
}
