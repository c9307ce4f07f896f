import PostgresNIO

/// A `text[]` parameter whose elements may be NULL. PostgresNIO encodes `[String]` but not
/// `[String?]`, and the fleet's nullable columns (detail, extra, project…) go through `unnest` as
/// arrays; a sentinel string for NULL would be a value some event could carry.
struct NullableTextArray: PostgresEncodable, PostgresNonThrowingEncodable {
    var elements: [String?]

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's binary array format: dimensions, a has-nulls flag, the element type, each
    /// dimension's length and lower bound, then each element as its length (-1: NULL) and bytes.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains(nil) ? 1 : 0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            if let element {
                buffer.writeInteger(Int32(element.utf8.count))
                buffer.writeString(element)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}
