import AuditSupport
/// Durations in Go's `time.ParseDuration` syntax (`1m30s`, `500ms`, `1.5h`), the
/// form compose uses for healthcheck intervals; Docker stores them in nanoseconds.
enum GoDuration {
    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    static func nanoseconds(_ text: String) -> Int64? {
        let text = text.trimmingSpaces()
        if text == "0" { return 0 }
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCIIDigit || $0 == "." }
            guard !number.isEmpty else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isASCIIDigit && $0 != "." }
            guard let factor = units.first(where: { $0.0 == unitText })?.1,
                  let value = DecimalText.scaled(String(number), by: factor) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { return nil }
            total = sum
            rest = rest.dropFirst(unitText.count)
        }
        return total
    }
}

extension GoDuration {
    /// Renders nanoseconds the way compose writes durations: `1m30s`, `500ms`, `0s`.
    static func format(_ nanos: Int64) -> String {
        if nanos == 0 { return "0s" }
        guard nanos % 1_000_000_000 == 0 else {
            return nanos % 1_000_000 == 0 ? "\(nanos / 1_000_000)ms" : "\(nanos)ns"
        }
        let seconds = nanos / 1_000_000_000
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        var text = ""
        if h > 0 { text += "\(h)h" }
        if m > 0 { text += "\(m)m" }
        if s > 0 { text += "\(s)s" }
        return text
    }
}
