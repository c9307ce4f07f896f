/// A point in time as operators type it on the command line, the way `docker events --since` takes it:
/// a duration back from now (`30m`, `24h`, `7d`, `1h30m`), an RFC 3339 time, or Unix seconds.
public enum TimeArgument {
    /// Resolves `text` against `now`, or nil when it is none of the accepted shapes.
    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        let trimmed = text.trimmingSpaces()
        if trimmed == "now" { return now }
        if let duration = parseDuration(trimmed) {
            let (since, overflow) = now.nanoseconds.subtractingReportingOverflow(duration)
            return overflow ? nil : Timestamp(checkedNanoseconds: since)
        }
        if let instant = RFC3339.parse(trimmed) { return instant }
        if let unix = parseUnixSeconds(trimmed) { return unix }
        return nil
    }

    /// `90s`, `30m`, `24h`, `7d`, `2w`, `1h30m`, `1.5h`, `500ms` as nanoseconds; nil beyond what Int64 holds.
    public static func parseDuration(_ text: String) -> Int64? {
        var s = Scanner(Array(text.utf8))
        var total: Double = 0
        var sawUnit = false
        while !s.atEnd {
            var number = 0.0
            var digits = 0
            while let d = s.digit() { number = number * 10 + Double(d); digits += 1 }
            if s.take(UInt8(ascii: ".")) {
                var scale = 0.1
                while let d = s.digit() { number += Double(d) * scale; scale /= 10; digits += 1 }
            }
            guard digits > 0 else { return nil }
            let unit: Double
            if s.takeWord("ms") { unit = 1e6 }
            else if s.takeWord("us") { unit = 1e3 }
            else if s.takeWord("ns") { unit = 1 }
            else if s.take(UInt8(ascii: "s")) { unit = 1e9 }
            else if s.take(UInt8(ascii: "m")) { unit = 60e9 }
            else if s.take(UInt8(ascii: "h")) { unit = 3600e9 }
            else if s.take(UInt8(ascii: "d")) { unit = 86_400e9 }
            else if s.take(UInt8(ascii: "w")) { unit = 604_800e9 }
            else { return nil }
            total += number * unit
            sawUnit = true
        }
        // `Double(Int64.max)` is 2^63, one past the largest Int64, so `<` keeps the conversion exact-safe.
        guard sawUnit, total < Double(Int64.max) else { return nil }
        return Int64(total)
    }

    /// `1700000000` or `1700000000.123456789`, as `docker events` accepts.
    static func parseUnixSeconds(_ text: String) -> Timestamp? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let secs = Int64(parts[0]), secs >= 0 else { return nil }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 9, let f = Int64(frac) else { return nil }
            nanos = f * Int64(pow10(9 - frac.count))
        }
        return Timestamp(checkedSeconds: secs, nanoseconds: nanos)
    }

    private static func pow10(_ n: Int) -> Int { n == 0 ? 1 : 10 * pow10(n - 1) }
}
