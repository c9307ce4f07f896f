/// Memory sizes as compose and `docker update` write them (`512m`, `1.5g`, `100k`, `1024b`, `2GiB`, bare bytes).
public enum ByteSize {
    private static let units: [Character: Int64] = [
        "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50,
    ]

    /// Parses a size into bytes; units are binary and case-insensitive, as in
    /// docker's `RAMInBytes` (`512m` = `512M` = `512MiB` = 536870912).
    public static func parse(_ text: String) -> Int64? {
        var rest = Substring(text.trimmingSpaces().lowercased())
        if rest.hasSuffix("ib") { rest = rest.dropLast(2) + "b" }
        var multiplier: Int64 = 1
        if rest.hasSuffix("b") { rest = rest.dropLast() }
        if let last = rest.last, let unit = units[last], last != "b" {
            multiplier = unit
            rest = rest.dropLast()
        }
        rest = Substring(rest.trimmingSpaces())
        guard let parts = DecimalText.split(rest) else { return nil }
        // Fractions are truncated to whole bytes, as docker does.
        return DecimalText.scaled(parts, by: multiplier)
    }

    /// `describe(nil)` is `unset`: a limit Docker reports as 0 or absent.
    public static func describe(_ bytes: Int64?) -> String {
        guard let bytes else { return "unset" }
        return format(bytes)
    }

    /// A file's or a disk's size to one decimal in the largest unit (`78.1 GiB`); `format` is exact, for limits.
    public static func approximate(_ bytes: Int64) -> String {
        var value = Double(bytes)
        for unit in ["B", "KiB", "MiB", "GiB"] {
            if value < 1024 { return unit == "B" ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(unit)" }
            value /= 1024
        }
        return "\((value * 10).rounded() / 10) TiB"
    }

    /// Human form of a byte count: `512 MiB`, `2 GiB`, `1.5 GiB`, or plain bytes
    /// when no unit renders it exactly.
    public static func format(_ bytes: Int64) -> String {
        let steps: [(Int64, String)] = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in steps where bytes >= size {
            // Up to two decimals, only when they are exact, so different values never render alike.
            // In full width: `bytes * 100` overflows from 92 PB up.
            let (hundredths, remainder) = size.dividingFullWidth(bytes.multipliedFullWidth(by: 100))
            guard remainder == 0 else { continue }
            let whole = hundredths / 100
            let cents = hundredths % 100
            if cents == 0 { return "\(whole) \(name)" }
            let decimals = cents % 10 == 0 ? "\(cents / 10)" : (cents < 10 ? "0\(cents)" : "\(cents)")
            return "\(whole).\(decimals) \(name)"
        }
        return "\(bytes) B"
    }
}
