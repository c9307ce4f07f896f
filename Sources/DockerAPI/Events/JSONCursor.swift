/// A forward-only JSON reader over bytes, specialised for what the event stream needs: objects of
/// strings and numbers, with unknown values skipped. Foundation's decoders run at 40–57k events/s on
/// these machines; the collector's target is 150k/s, so the hot path reads bytes directly.
struct JSONCursor {
    let bytes: UnsafeRawBufferPointer
    var index: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    struct Failure: Error { let reason: String }

    var atEnd: Bool { index >= bytes.count }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 } else { return }
        }
    }

    mutating func peek() throws(Failure) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw Failure(reason: "truncated: unexpected end of line") }
        return bytes[index]
    }

    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard try peek() == byte else {
            throw Failure(reason: "expected '\(Character(Unicode.Scalar(byte)))' at byte \(index)")
        }
        index += 1
    }

    /// Consumes `byte` if it comes next.
    mutating func take(_ byte: UInt8) throws(Failure) -> Bool {
        guard try peek() == byte else { return false }
        index += 1
        return true
    }

    /// Iterates the members of an object, handing each key's bytes to `body`, which must consume the
    /// value.
    mutating func forEachMember(_ body: (inout JSONCursor, UnsafeRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"))
        if try take(UInt8(ascii: "}")) { return }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw Failure(reason: "expected a key at byte \(index)") }
            let (key, escaped) = try skipString()
            try expect(UInt8(ascii: ":"))
            if escaped {
                try withDecodedKey(key, body)
            } else {
                try body(&self, UnsafeRawBufferPointer(rebasing: bytes[key]))
            }
            if try take(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// Docker never escapes a key, but JSON may (`"\u0054ype"` is `Type`): such a key is decoded
    /// before it is compared.
    private mutating func withDecodedKey(_ key: Range<Int>, _ body: (inout JSONCursor, UnsafeRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        let quoted = UnsafeRawBufferPointer(rebasing: bytes[(key.lowerBound - 1)...key.upperBound])
        let decoded = Array((try Self.decodeRaw(quoted) ?? "").utf8)
        var failure: Failure?
        decoded.withUnsafeBytes { raw in
            do throws(Failure) { try body(&self, raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Consumes the string whose opening quote is at the cursor and returns where its contents lie,
    /// escapes left as they are, and whether there were any.
    private mutating func skipString() throws(Failure) -> (contents: Range<Int>, escaped: Bool) {
        index += 1
        let start = index
        if let end = ByteScan.quote(in: bytes, from: start), !ByteScan.hasBackslash(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) {
            index = end + 1
            return (start..<end, false)
        }
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return (start..<(index - 1), true)
            }
            if b == UInt8(ascii: "\\") { index += 1 }
            index += 1
        }
        throw Failure(reason: "truncated: unterminated string")
    }

    mutating func string() throws(Failure) -> String {
        if let plain = try plainString() { return String(decoding: plain, as: UTF8.self) }
        guard try peek() == UInt8(ascii: "\"") else { throw Failure(reason: "expected a string at byte \(index)") }
        index += 1
        let start = index
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return try Self.validated(raw)
            }
            if b == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if b < 0x20 { throw Failure(reason: "control character in string at byte \(index)") }
            index += 1
        }
        throw Failure(reason: "truncated: unterminated string")
    }

    /// The bytes of a plain string (no escapes, control characters or non-ASCII) at the cursor, without
    /// its quotes, consuming it; nil, consuming nothing, for anything else.
    mutating func plainString() throws(Failure) -> UnsafeRawBufferPointer? {
        guard try peek() == UInt8(ascii: "\""), let end = ByteScan.quote(in: bytes, from: index + 1) else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end])
        guard ByteScan.isPlain(raw) else { return nil }
        index = end + 1
        return raw
    }

    /// A string's raw bytes with its quotes, checked for termination only; `decodeRaw` decodes them
    /// later if they turn out to be needed.
    mutating func rawString() throws(Failure) -> UnsafeRawBufferPointer {
        guard try peek() == UInt8(ascii: "\"") else { throw Failure(reason: "expected a string at byte \(index)") }
        let contents = try skipString().contents
        return UnsafeRawBufferPointer(rebasing: bytes[(contents.lowerBound - 1)...contents.upperBound])
    }

    /// Decodes what `rawString` returned, with the same checks as `string()`.
    static func decodeRaw(_ raw: UnsafeRawBufferPointer?) throws(Failure) -> String? {
        guard let raw else { return nil }
        var cursor = JSONCursor(raw)
        return try cursor.string()
    }

    private static func validated(_ raw: UnsafeRawBufferPointer) throws(Failure) -> String {
        // ASCII is the overwhelmingly common case and needs no validation pass of its own.
        var ascii = true
        for b in raw where b >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: raw, as: UTF8.self) }
        guard let s = String(validating: raw, as: UTF8.self) else { throw Failure(reason: "invalid UTF-8 in string") }
        return s
    }

    private mutating func escapedString(from start: Int) throws(Failure) -> String {
        var out: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw Failure(reason: "invalid UTF-8 in string") }
                return s
            }
            if b < 0x20 { throw Failure(reason: "control character in string at byte \(index)") }
            if b != UInt8(ascii: "\\") { out.append(b); index += 1; continue }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw Failure(reason: "unpaired surrogate in string")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure(reason: "unpaired surrogate in string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw Failure(reason: "invalid \\u escape") }
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                throw Failure(reason: "invalid escape '\\\(Character(Unicode.Scalar(e)))' in string")
            }
        }
        throw Failure(reason: "truncated: unterminated string")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(reason: "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw Failure(reason: "invalid \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    /// An integer, or the integer part of a number with a fraction or exponent (`time` may be 1.7e9
    /// from some producers).
    mutating func int64() throws(Failure) -> Int64 {
        skipWhitespace()
        let start = index
        try skipNumber()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        var v: Int64 = 0
        var negative = false
        var simple = true
        for (i, b) in raw.enumerated() {
            if i == 0 && b == UInt8(ascii: "-") { negative = true; continue }
            guard b >= 48 && b <= 57 else { simple = false; break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(b - 48))
            guard !o1 && !o2 else { throw Failure(reason: "number out of range at byte \(start)") }
            v = a
        }
        if simple { return negative ? -v : v }
        guard let d = Double(String(decoding: raw, as: UTF8.self)), d.isFinite else {
            throw Failure(reason: "invalid number at byte \(start)")
        }
        guard abs(d) < 9.2e18 else { throw Failure(reason: "number out of range at byte \(start)") }
        return Int64(d)
    }

    private mutating func skipNumber() throws(Failure) {
        _ = try peek()
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case 48...57, UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                guard index > start else { throw Failure(reason: "expected a number at byte \(index)") }
                return
            }
        }
        guard index > start else { throw Failure(reason: "truncated: expected a number") }
    }

    /// Skips any JSON value, returning its raw text (used for unexpected non-string attribute values,
    /// which are kept as text rather than dropped).
    @discardableResult
    mutating func skipValue() throws(Failure) -> UnsafeRawBufferPointer {
        let c = try peek()
        let start = index
        switch c {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var inString = false
            while index < bytes.count {
                let b = bytes[index]
                index += 1
                if inString {
                    if b == UInt8(ascii: "\\") { index += 1 } else if b == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                if b == UInt8(ascii: "\"") { inString = true }
                else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return UnsafeRawBufferPointer(rebasing: bytes[start..<index]) }
                }
            }
            throw Failure(reason: "truncated: unterminated \(c == UInt8(ascii: "{") ? "object" : "array")")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }

    mutating func isNull() throws(Failure) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw Failure(reason: "truncated: expected \(word)") }
        for i in 0..<n where bytes[index + i] != word.utf8Start[i] {
            throw Failure(reason: "unexpected character at byte \(index + i)")
        }
        index += n
    }

    /// An event's attribute map: the daemon's bytes kept as they are when already canonical (the
    /// common case, no String per attribute). Anything else is decoded, then given the canonical form
    /// when its pairs have one, so a label set read from re-serialised or reordered JSON is stored,
    /// compared and interned exactly as the daemon's own bytes would be.
    mutating func attributes(interner: Interner? = nil, actorID: String? = nil) throws(Failure) -> Attributes {
        _ = try peek()
        let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
        guard let (length, parts) = CanonicalObject.parse(at: rest, interner: interner, actorID: actorID) else {
            let decoded = try stringMap()
            return CanonicalObject.canonical(decoded.pairs, interner: interner, actorID: actorID).map(Attributes.init(canonical:)) ?? decoded
        }
        index += length
        return Attributes(canonical: parts)
    }

    /// A flat object of strings (`Attributes`, label maps), in key order as Docker writes it (bytewise,
    /// Go's order; a repeated key keeps its place). Non-string values are kept as their JSON text.
    mutating func stringMap() throws(Failure) -> Attributes {
        if try isNull() { return Attributes() }
        var pairs: [Attributes.Pair] = []
        pairs.reserveCapacity(12)
        try forEachMember { (cursor, rawKey) throws(Failure) in
            let key = try Self.validated(rawKey)
            let value: String
            if try cursor.peek() == UInt8(ascii: "\"") {
                value = try cursor.string()
            } else {
                value = String(decoding: try cursor.skipValue(), as: UTF8.self)
            }
            pairs.append(Attributes.Pair(key, value))
        }
        if zip(pairs, pairs.dropFirst()).contains(where: { $1.key.utf8.lexicographicallyPrecedes($0.key.utf8) }) {
            // Stable, so a repeated key keeps its order.
            pairs = pairs.enumerated().sorted { a, b in
                a.element.key == b.element.key ? a.offset < b.offset : a.element.key.utf8.lexicographicallyPrecedes(b.element.key.utf8)
            }.map(\.element)
        }
        return Attributes(pairs)
    }
}

extension UnsafeRawBufferPointer {
    /// Compares raw bytes with an ASCII literal without building a String.
    @inline(__always)
    func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        return memcmp(baseAddress!, literal.utf8Start, count) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses a flat JSON object of strings with the same fast reader the event decoder uses.
public enum FlatJSON {
    public struct Invalid: Error, Sendable { public let reason: String }

    public static func stringMap(_ json: String) throws(Invalid) -> Attributes {
        var copy = json
        let result = copy.withUTF8 { buffer -> Result<Attributes, Invalid> in
            var cursor = JSONCursor(UnsafeRawBufferPointer(buffer))
            do throws(JSONCursor.Failure) {
                return .success(try cursor.attributes())
            } catch {
                return .failure(Invalid(reason: error.reason))
            }
        }
        return try result.get()
    }
}

extension FlatJSON {
    /// Parses a JSON array of strings (stored exec arguments).
    public static func stringArray(_ json: String) throws(Invalid) -> [String] {
        var copy = json
        let result = copy.withUTF8 { buffer -> Result<[String], Invalid> in
            var cursor = JSONCursor(UnsafeRawBufferPointer(buffer))
            do throws(JSONCursor.Failure) {
                var items: [String] = []
                try cursor.expect(UInt8(ascii: "["))
                if try cursor.take(UInt8(ascii: "]")) { return .success(items) }
                repeat { items.append(try cursor.string()) } while try cursor.take(UInt8(ascii: ","))
                try cursor.expect(UInt8(ascii: "]"))
                return .success(items)
            } catch {
                return .failure(Invalid(reason: error.reason))
            }
        }
        return try result.get()
    }
}
