#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes the engine's JSON answers (inspect, list, version). Off the hot path, so Foundation's
/// decoder is fine here.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], path: String) throws(DockerError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw .invalidResponse(path: path, reason: "cannot decode \(T.self): \(error)")
        }
    }

    /// The daemon's `{"message": "..."}` error body, or the raw text when it is not that shape.
    static func errorMessage(_ body: [UInt8]) -> String {
        struct Message: Decodable { let message: String }
        if let m = try? JSONDecoder().decode(Message.self, from: Data(body)) { return m.message }
        return String(decoding: body.prefix(500), as: UTF8.self)
    }
}
