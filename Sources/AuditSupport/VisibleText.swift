/// Text from the outside world (exec commands, container names, quarantined lines) made safe to
/// show on a terminal. Whoever acted outside the pipeline chooses their exec's command line:
/// `sh -c $'echo hidden\e[2K\e[1Ainnocent'` erased its own finding's line on an operator's screen
/// when printed raw. Every C0 control, DEL and C1 control becomes a visible escape; the forms are
/// valid inside a JSON string too, so JSON output stays JSON.
public enum VisibleText {
    /// `text` with C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F) escaped as `\n`, `\r`, `\t`
    /// or `\u00XX`. With `keepingLineBreaks`, `\n` and `\t` pass (whole blocks of output, not cells).
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard needsEscaping(text, keepingLineBreaks: keepingLineBreaks) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            guard isControl(v), !(keepingLineBreaks && (v == 0x0A || v == 0x09)) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch v {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            default:
                let hex = String(v, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }

    /// The common case, text without controls, costs one pass over the bytes and no allocation.
    private static func needsEscaping(_ text: String, keepingLineBreaks: Bool) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 {
                if !(keepingLineBreaks && (byte == 0x0A || byte == 0x09)) { return true }
            } else if byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) {
                // C1 controls are U+0080–U+009F, encoded C2 80 … C2 9F.
                return true
            }
            previous = byte
        }
        return false
    }

    private static func isControl(_ v: UInt32) -> Bool {
        v < 0x20 || v == 0x7F || (v >= 0x80 && v <= 0x9F)
    }
}
