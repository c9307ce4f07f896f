/// Exact decimal splitting, so `1.5` CPUs is 1500000000 nanoCPUs with no float rounding.
public enum DecimalText {
    /// `"12.345"` -> (12, 345, 1000).
    public static func split(_ text: Substring) -> (Int64, Int64, Int64)? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), !pieces[0].isEmpty, pieces[0].allSatisfy(\.isASCIIDigit),
              let whole = Int64(pieces[0]) else { return nil }
        guard pieces.count == 2 else { return (whole, 0, 1) }
        let digits = pieces[1].prefix(9)
        guard !digits.isEmpty, pieces[1].allSatisfy(\.isASCIIDigit), let fraction = Int64(digits) else { return nil }
        var scale: Int64 = 1
        for _ in digits { scale *= 10 }
        return (whole, fraction, scale)
    }

    /// A decimal number scaled by `factor` and truncated: `("1.5", 1e9)` -> 1500000000; nil when the
    /// result does not fit an Int64.
    public static func scaled(_ text: String, by factor: Int64) -> Int64? {
        guard let parts = split(Substring(text.trimmingSpaces())) else { return nil }
        return scaled(parts, by: factor)
    }

    /// What `split` returned, times a positive `factor`, truncated; nil on overflow.
    public static func scaled(_ parts: (whole: Int64, fraction: Int64, scale: Int64), by factor: Int64) -> Int64? {
        let (whole, overflow) = parts.whole.multipliedReportingOverflow(by: factor)
        // fraction < scale, so the quotient is below factor: only the product needs the full width.
        let (part, _) = parts.scale.dividingFullWidth(parts.fraction.multipliedFullWidth(by: factor))
        let (sum, carry) = whole.addingReportingOverflow(part)
        return overflow || carry ? nil : sum
    }
}
