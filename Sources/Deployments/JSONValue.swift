/// A parsed JSON document. Webhook bodies are decoded by hand rather than with `JSONDecoder` so that
/// every rejection names the offending field and what it held; a syntax error says what and at
/// which byte (FoundationEssentials' decoder answers every one with "The given data was not valid
/// JSON." and no underlying error); ids keep their exact source digits (past `UInt64.max` a `UInt64`
/// field fails as "not valid JSON" and a `Double` rounds); and 100,000-deep nesting is refused with a
/// message in constant stack (`JSONDecoder` recurses, and overflowed a 128 KiB stack before its 512-level
/// limit). It is also the faster of the two: `audit bench json` measures both.
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

/// JSON parser over UTF-8 bytes (RFC 8259). It keeps the arrays and objects still open on a heap
/// stack of its own instead of recursing, so the thread's stack use does not grow with the nesting:
/// 256 levels of recursion took more than 512 KiB of stack in a debug build. Past `maxDepth` levels
/// the body is refused, which also bounds the recursion of everything that walks the parsed value.
private struct JSONParser {
    let bytes: [UInt8]
    var index = 0
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

    /// One value, however deeply nested: each pass of the loop reads a scalar or opens a container,
    /// then hands every finished value to the container around it, closing those that end. The open
    /// containers are filled in place, innermost last, so no member array is ever copied.
    private mutating func value() throws(DeploymentInputError) -> JSONValue {
        var openIsObject: [Bool] = []
        var arrays: [[JSONValue]] = []
        var objects: [[String: JSONValue]] = []
        var keys: [String] = []
        next: while true {
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            var finished: JSONValue
            switch bytes[index] {
            case UInt8(ascii: "{"):
                try enter(openIsObject.count)
                index += 1
                skipWhitespace()
                guard take(UInt8(ascii: "}")) else {
                    keys.append(try memberKey())
                    objects.append([:])
                    openIsObject.append(true)
                    continue next
                }
                finished = .object([:])
            case UInt8(ascii: "["):
                try enter(openIsObject.count)
                index += 1
                skipWhitespace()
                guard take(UInt8(ascii: "]")) else {
                    arrays.append([])
                    openIsObject.append(false)
                    continue next
                }
                finished = .array([])
            case UInt8(ascii: "\""): finished = .string(try string())
            case UInt8(ascii: "t"): finished = try literal("true", .bool(true))
            case UInt8(ascii: "f"): finished = try literal("false", .bool(false))
            case UInt8(ascii: "n"): finished = try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): finished = try number()
            default: throw fail("unexpected \(describe(bytes[index])) at byte \(index)")
            }
            while let inObject = openIsObject.last {
                skipWhitespace()
                if inObject {
                    objects[objects.count - 1][keys.removeLast()] = finished
                    if take(UInt8(ascii: ",")) {
                        keys.append(try memberKey())
                        continue next
                    }
                    guard take(UInt8(ascii: "}")) else { throw expected("',' or '}'") }
                    finished = .object(objects.removeLast())
                } else {
                    arrays[arrays.count - 1].append(finished)
                    if take(UInt8(ascii: ",")) { continue next }
                    guard take(UInt8(ascii: "]")) else { throw expected("',' or ']'") }
                    finished = .array(arrays.removeLast())
                }
                openIsObject.removeLast()
            }
            return finished
        }
    }

    /// A member's quoted key and the `:` after it.
    private mutating func memberKey() throws(DeploymentInputError) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw expected("a quoted key") }
        let key = try string()
        skipWhitespace()
        guard take(UInt8(ascii: ":")) else { throw expected("':'") }
        return key
    }

    private mutating func string() throws(DeploymentInputError) -> String {
        index += 1
        // The text before the last escape, once there is one; most strings have none and are one run.
        var escaped: String?
        var runStart = index
        var runIsASCII = true
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let run = try text(runStart..<index, ascii: runIsASCII)
                index += 1
                guard var text = escaped else { return run }
                text += run
                return text
            case UInt8(ascii: "\\"):
                var text = escaped ?? ""
                text += try self.text(runStart..<index, ascii: runIsASCII)
                index += 1
                text.unicodeScalars.append(try escape())
                escaped = text
                runStart = index
                runIsASCII = true
            case 0..<0x20:
                throw fail("control character in a string at byte \(index)")
            case 0x80...:
                runIsASCII = false
                index += 1
            default:
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    /// The bytes of `range` as text. Bytes that are not UTF-8 are refused rather than replaced:
    /// replacing would let two different ids read as the same text.
    private func text(_ range: Range<Int>, ascii: Bool) throws(DeploymentInputError) -> String {
        let decoded: String? = bytes.withUnsafeBufferPointer { all in
            let run = UnsafeBufferPointer(rebasing: all[range])
            return ascii ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self)
        }
        guard let decoded else {
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = bytes[range].makeIterator()
            var at = range.lowerBound
            while case .valid(let scalar) = parser.parseScalar(from: &iterator) { at += scalar.count }
            throw fail("invalid UTF-8 in a string at byte \(at)")
        }
        return decoded
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
            // A deployment record is text: NUL ends C strings and PostgreSQL refuses it in text.
            guard high != 0 else { throw fail("a string holds NUL (\\u0000) at byte \(index - 6)") }
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

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(DeploymentInputError) -> JSONValue {
        let length = word.utf8CodeUnitCount
        let matches = bytes.count - index >= length && word.withUTF8Buffer { bytes[index..<index + length].elementsEqual($0) }
        guard matches else { throw fail("unexpected \(describe(bytes[index])) at byte \(index)") }
        index += length
        return value
    }

    /// Opening one more container inside `depth` open ones.
    private func enter(_ depth: Int) throws(DeploymentInputError) {
        if depth >= Self.maxDepth { throw fail("nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func take(_ b: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == b else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
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
