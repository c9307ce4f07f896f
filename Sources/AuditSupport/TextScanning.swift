/// Small text helpers shared by the parsers; ASCII-only on purpose, as compose values are.
extension Character {
    public var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs. Both are ASCII, and a byte below 0x80 is never
    /// part of a longer UTF-8 sequence, so the ends are found on the bytes: walking Characters through
    /// two reversals cost a fifth of a fleet report's CPU (every exec group's command, twice).
    public func trimmingSpaces() -> String {
        String(trimmedOfSpaces())
    }

    /// `trimmingSpaces()` without the copy, for comparing.
    public func trimmedOfSpaces() -> Substring {
        let text = Substring(self)
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = text.utf8.firstIndex(where: { !isSpace($0) }), let last = text.utf8.lastIndex(where: { !isSpace($0) }) else {
            return text[text.endIndex...]
        }
        return text[first...last]
    }
}
