/// A parsed JSON document. Webhook bodies are decoded by hand rather than with `JSONDecoder` so every
/// rejection can name the offending field, and so numbers such as GitHub's deployment ids keep their
/// exact source digits.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as written, so large ids never pass through a `Double`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `bytes` as one JSON value; the message of the thrown error is the part after `malformed JSON: `.
    static func parse(_ bytes: [UInt8]) throws(DeploymentInputError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.document()
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self, let value = members[key], value != .null else { return nil }
        return value
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A string, or a number's digits: ids arrive as either depending on the sender.
    var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        default: return nil
        }
    }

    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Recursive-descent JSON parser over UTF-8 bytes (RFC 8259), with a depth limit so a hostile body
/// cannot exhaust the stack.
private struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    static let maxDepth = 256

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(DeploymentInputError) -> JSONValue {
        // A UTF-8 byte order mark is tolerated: some CI tools write one into files they then post.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        guard index < bytes.count else { throw fail("empty body") }
        let value = try value()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected \(describe(bytes[index])) after the value at byte \(index)") }
        return value
    }

    private mutating func value() throws(DeploymentInputError) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected \(describe(bytes[index])) at byte \(index)")
        }
    }

    private mutating func object() throws(DeploymentInputError) -> JSONValue {
        try enter()
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if take(UInt8(ascii: "}")) { depth -= 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw expected("a quoted key") }
            let key = try string()
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { throw expected("':'") }
            skipWhitespace()
            members[key] = try value()
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { throw expected("',' or '}'") }
            depth -= 1
            return .object(members)
        }
    }

    private mutating func array() throws(DeploymentInputError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if take(UInt8(ascii: "]")) { depth -= 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "]")) else { throw expected("',' or ']'") }
            depth -= 1
            return .array(elements)
        }
    }

    private mutating func string() throws(DeploymentInputError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flush(_ end: Int) {
            scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
        }
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                flush(index)
                index += 1
                return String(scalars)
            }
            if b < 0x20 { throw fail("control character in a string at byte \(index)") }
            if b == UInt8(ascii: "\\") {
                flush(index)
                index += 1
                scalars.append(try escape())
                runStart = index
                continue
            }
            index += 1
        }
        throw fail("unterminated string")
    }

    private mutating func escape() throws(DeploymentInputError) -> Unicode.Scalar {
        guard index < bytes.count else { throw fail("unterminated string") }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hex4()
            if (0xD800..<0xDC00).contains(high) {
                // A surrogate pair spells one scalar outside the Basic Multilingual Plane.
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else { throw fail("unpaired surrogate at byte \(index)") }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate at byte \(index)") }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else { throw fail("unpaired surrogate at byte \(index)") }
            return scalar
        default:
            throw fail("invalid escape \\\(describeRaw(c)) at byte \(index - 1)")
        }
    }

    private mutating func hex4() throws(DeploymentInputError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let d = Hex.value(of: bytes[index]) else { throw fail("invalid \\u escape at byte \(index)") }
            v = v << 4 | UInt32(d)
            index += 1
        }
        return v
    }

    private mutating func number() throws(DeploymentInputError) -> JSONValue {
        let start = index
        _ = take(UInt8(ascii: "-"))
        guard digits() > 0 else { throw fail("invalid number at byte \(start)") }
        if take(UInt8(ascii: ".")) {
            guard digits() > 0 else { throw fail("invalid number at byte \(start)") }
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            _ = take(UInt8(ascii: "+")) || take(UInt8(ascii: "-"))
            guard digits() > 0 else { throw fail("invalid number at byte \(start)") }
        }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(DeploymentInputError) -> JSONValue {
        let w = Array(word.utf8)
        guard bytes.count - index >= w.count, bytes[index..<index + w.count].elementsEqual(w) else {
            throw fail("unexpected \(describe(bytes[index])) at byte \(index)")
        }
        index += w.count
        return value
    }

    private mutating func enter() throws(DeploymentInputError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func take(_ b: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == b else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func expected(_ what: String) -> DeploymentInputError {
        index < bytes.count
            ? fail("expected \(what) at byte \(index), found \(describe(bytes[index]))")
            : fail("expected \(what), found the end of input")
    }

    private func describe(_ b: UInt8) -> String { "'\(describeRaw(b))'" }

    private func describeRaw(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? String(UnicodeScalar(b)) : "\\u{\(String(b, radix: 16))}"
    }

    private func fail(_ detail: String) -> DeploymentInputError { .malformedJSON(detail) }
}
