#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sorted-key JSON text of a value, for asserting on encoded output.
enum JSONEncoderForTests {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
