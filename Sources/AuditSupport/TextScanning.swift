/// Small text helpers shared by the parsers; ASCII-only on purpose, as compose values are.
extension Character {
    public var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    public func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
