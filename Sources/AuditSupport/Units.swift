/// Human forms of the quantities Docker reports in raw units.
public enum ByteCount {
    /// `536870912` → `512 MiB`; `2147483648` → `2 GiB`; nil → `unset`.
    public static func describe(_ bytes: Int64?) -> String {
        guard let bytes else { return "unset" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        let rounded = (value * 100).rounded() / 100
        let text = rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
        return "\(text) \(units[unit])"
    }
}

public enum CPUs {
    /// `1500000000` NanoCpus → `1.5`.
    public static func describe(nanoCpus: Int64) -> String {
        let value = Double(nanoCpus) / 1e9
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}

/// Masks values that look like secrets before they reach a terminal, a report or a log.
public enum SecretMask {
    static let markers = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH"]

    public static func looksSecret(_ key: String) -> Bool {
        let upper = key.uppercased()
        return markers.contains { upper.contains($0) }
    }

    public static func value(_ value: String?, forKey key: String) -> String? {
        guard let value else { return nil }
        return looksSecret(key) ? "***" : value
    }

    /// Masks `--password=x`, `--token x`, `TOKEN=x` style arguments in a command line.
    public static func command(_ command: String) -> String {
        var out: [String] = []
        var maskNext = false
        for word in command.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if maskNext { out.append("***"); maskNext = false; continue }
            if let eq = word.firstIndex(of: "="), looksSecret(String(word[..<eq])) {
                out.append(String(word[...eq]) + "***")
            } else if word.hasPrefix("-") && looksSecret(word) {
                out.append(word)
                maskNext = true
            } else {
                out.append(word)
            }
        }
        return out.joined(separator: " ")
    }
}
