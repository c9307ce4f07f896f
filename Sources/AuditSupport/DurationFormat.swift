/// Short human durations for operators reading at 3 a.m.: `4s`, `12m`, `3h05m`, `2d04h`.
public enum DurationFormat {
    public static func short(nanoseconds: Int64) -> String {
        let s = max(0, nanoseconds / 1_000_000_000)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(two(s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(two(s % 3600 / 60))m" }
        return "\(s / 86_400)d\(two(s % 86_400 / 3600))h"
    }

    private static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

extension DurationFormat {
    /// A duration a verdict rests on, to a tenth of a second below a minute: `0.5 s`, `6.1 s`, `3m20s`.
    public static func precise(nanoseconds: Int64) -> String {
        let ns = max(0, nanoseconds)
        guard ns < 60_000_000_000 else { return short(nanoseconds: ns) }
        let tenths = (ns + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
