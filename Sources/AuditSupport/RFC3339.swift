/// RFC 3339 formatting and parsing with nanosecond precision, without Foundation: Docker writes
/// `2026-11-27T02:57:42.123456789Z` and `docker events --since` accepts the same, and the store's
/// output must round-trip `timeNano` exactly.
public enum RFC3339 {
    /// `2026-11-27T02:57:42.123456789Z`; always nine fractional digits so the text sorts like the number.
    public static func format(_ t: Timestamp) -> String {
        let secs = t.nanoseconds.floorDivided(by: 1_000_000_000)
        let nanos = t.nanoseconds.floorRemainder(dividingBy: 1_000_000_000)
        let days = secs.floorDivided(by: 86_400)
        let secOfDay = secs - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        var out = ""
        out.reserveCapacity(30)
        out += pad(y, 4); out += "-"; out += pad(m, 2); out += "-"; out += pad(d, 2)
        out += "T"; out += pad(secOfDay / 3600, 2); out += ":"; out += pad(secOfDay % 3600 / 60, 2)
        out += ":"; out += pad(secOfDay % 60, 2); out += "."; out += pad(nanos, 9); out += "Z"
        return out
    }

    /// Parses `YYYY-MM-DD[T ]hh:mm[:ss[.frac]](Z|±hh[:]mm| UTC)` and a bare date `YYYY-MM-DD` (midnight UTC).
    /// GitLab and CI logs mix these shapes; all of them mean one instant. Dates that do not exist
    /// (`2026-02-31`), offsets beyond `±23:59` and instants outside `Timestamp.earliest...latest` are nil.
    public static func parse(_ text: String) -> Timestamp? {
        var s = Scanner(Array(text.utf8))
        // Years outside Int64 nanoseconds (1678–2261) are Docker's "never" (`0001-01-01T00:00:00Z`).
        guard let y = s.digits(4), s.take(UInt8(ascii: "-")), let mo = s.digits(2), s.take(UInt8(ascii: "-")),
              let d = s.digits(2), (1...12).contains(mo), (1678...2261).contains(y), (1...daysIn(month: mo, of: y)).contains(d) else { return nil }
        var h: Int64 = 0, mi: Int64 = 0, sec: Int64 = 0, nanos: Int64 = 0
        var offsetSeconds: Int64 = 0
        if !s.atEnd {
            guard s.take(UInt8(ascii: "T")) || s.take(UInt8(ascii: "t")) || s.take(UInt8(ascii: " ")),
                  let hh = s.digits(2), s.take(UInt8(ascii: ":")), let mm = s.digits(2) else { return nil }
            h = hh; mi = mm
            if s.take(UInt8(ascii: ":")) {
                guard let ss = s.digits(2) else { return nil }
                sec = ss
                if s.take(UInt8(ascii: ".")) || s.take(UInt8(ascii: ",")) {
                    var scale: Int64 = 100_000_000
                    var count = 0
                    while let digit = s.digit() {
                        nanos += digit * scale
                        scale /= 10
                        count += 1
                    }
                    guard count > 0 else { return nil }
                }
            }
            guard h < 24, mi < 60, sec < 61 else { return nil }
            _ = s.take(UInt8(ascii: " "))
            if s.take(UInt8(ascii: "Z")) || s.take(UInt8(ascii: "z")) {
            } else if s.takeWord("UTC") {
            } else if let sign = s.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                s.advance()
                guard let oh = s.digits(2) else { return nil }
                _ = s.take(UInt8(ascii: ":"))
                guard let om = s.digits(2), oh < 24, om < 60 else { return nil }
                offsetSeconds = (oh * 3600 + om * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
            } else if !s.atEnd {
                return nil
            }
            guard s.atEnd else { return nil }
        }
        let days = daysFromCivil(y, mo, d)
        let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offsetSeconds
        return Timestamp(checkedSeconds: secs, nanoseconds: nanos)
    }

    static func daysIn(month: Int64, of year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let digits = String(v)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = y.floorDivided(by: 400)
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = z.floorDivided(by: 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// A cursor over ASCII bytes for the small grammars in this module.
struct Scanner {
    let bytes: [UInt8]
    var index = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    func peek() -> UInt8? { atEnd ? nil : bytes[index] }
    mutating func advance() { index += 1 }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    mutating func takeWord(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard bytes.count - index >= w.count, Array(bytes[index..<index + w.count]) == w else { return false }
        index += w.count
        return true
    }

    mutating func digit() -> Int64? {
        guard let b = peek(), b >= 48, b <= 57 else { return nil }
        index += 1
        return Int64(b - 48)
    }

    mutating func digits(_ n: Int) -> Int64? {
        var v: Int64 = 0
        for _ in 0..<n {
            guard let d = digit() else { return nil }
            v = v * 10 + d
        }
        return v
    }
}
