import PostgresNIO

/// An array parameter whose elements may be NULL (`text[]`, `bigint[]`, `boolean[]`). PostgresNIO
/// encodes `[String]` but not `[String?]`, and the fleet's nullable columns (detail, extra, finished_ns,
/// running…) go through `unnest` as arrays; a sentinel value for NULL would be a value some row could carry.
struct NullableArray<Element: NullableArrayElement>: PostgresEncodable, PostgresNonThrowingEncodable {
    var elements: [Element?]

    static var psqlType: PostgresDataType { Element.arrayType }
    static var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's binary array format: dimensions, a has-nulls flag, the element type, each
    /// dimension's length and lower bound, then each element as its length (-1: NULL) and bytes.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.elementType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            if let element {
                element.writeElement(into: &buffer)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}

/// An element of a `NullableArray`: its types, and its binary form with the length in front.
protocol NullableArrayElement {
    static var elementType: PostgresDataType { get }
    static var arrayType: PostgresDataType { get }
    func writeElement(into buffer: inout ByteBuffer)
}

extension String: NullableArrayElement {
    static var elementType: PostgresDataType { .text }
    static var arrayType: PostgresDataType { .textArray }
    func writeElement(into buffer: inout ByteBuffer) {
        let text = postgresText
        buffer.writeInteger(Int32(text.utf8.count))
        buffer.writeString(text)
    }

    /// The text with every NUL replaced by U+FFFD, as every text value bound for PostgreSQL goes.
    /// PostgreSQL's text cannot hold NUL (SQLSTATE 22021), and the engine's JSON carries `\u0000` as it
    /// was given (an exec's arguments, through the API, reach events.detail and exec_commands): refused,
    /// the batch holding it would fail on every retry and forwarding stop there for good. U+FFFD, not the
    /// two characters `\0`: those are common in command lines as they are (`printf 'a\0b'`), and U+FFFD
    /// is already what invalid UTF-8 reads as, so a replaced character is never mistaken for one typed.
    var postgresText: String {
        guard utf8.contains(0) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.lazy.map { $0.value == 0 ? "\u{FFFD}" : $0 }))
    }
}

extension Int64: NullableArrayElement {
    static var elementType: PostgresDataType { .int8 }
    static var arrayType: PostgresDataType { .int8Array }
    func writeElement(into buffer: inout ByteBuffer) {
        buffer.writeInteger(8, as: Int32.self)
        buffer.writeInteger(self)
    }
}

extension Bool: NullableArrayElement {
    static var elementType: PostgresDataType { .bool }
    static var arrayType: PostgresDataType { .boolArray }
    func writeElement(into buffer: inout ByteBuffer) {
        buffer.writeInteger(1, as: Int32.self)
        buffer.writeInteger(self ? 1 : 0, as: UInt8.self)
    }
}
