/// Builds JSON text by appending, for output and storage paths that must not pay for an encoder:
/// canonical attribute sets, `audit events --format json` lines.
public struct JSONWriter: Sendable {
    public private(set) var text = ""

    public init(capacity: Int = 256) { text.reserveCapacity(capacity) }

    private var needsComma = false

    public mutating func beginObject() { separate(); text += "{"; needsComma = false }
    public mutating func endObject() { text += "}"; needsComma = true }
    public mutating func beginArray() { separate(); text += "["; needsComma = false }
    public mutating func endArray() { text += "]"; needsComma = true }

    /// Writes `"key":` inside an object; the value follows.
    public mutating func key(_ k: String) {
        separate()
        Self.appendQuoted(k, to: &text)
        text += ":"
        needsComma = false
    }

    public mutating func string(_ s: String?) {
        separate()
        if let s { Self.appendQuoted(s, to: &text) } else { text += "null" }
        needsComma = true
    }

    public mutating func number(_ n: Int64?) {
        separate()
        text += n.map { String($0) } ?? "null"
        needsComma = true
    }

    public mutating func bool(_ b: Bool?) {
        separate()
        text += b.map { $0 ? "true" : "false" } ?? "null"
        needsComma = true
    }

    /// Splices already valid JSON (a stored object) in as a value.
    public mutating func raw(_ json: String) {
        separate()
        text += json
        needsComma = true
    }

    public mutating func field(_ k: String, _ v: String?) { key(k); string(v) }
    public mutating func field(_ k: String, _ v: Int64?) { key(k); number(v) }
    public mutating func field(_ k: String, _ v: Bool?) { key(k); bool(v) }

    /// A flat object of strings from key/value pairs, in the given order.
    public mutating func object<S: Sequence>(_ pairs: S) where S.Element == (String, String) {
        beginObject()
        for (k, v) in pairs { field(k, v) }
        endObject()
    }

    private mutating func separate() {
        if needsComma { text += "," }
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        var plain = true
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { plain = false; break }
        if plain {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }
}
