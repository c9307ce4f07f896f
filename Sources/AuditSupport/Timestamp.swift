/// A point in time as Unix nanoseconds: the unit Docker's `timeNano` uses, so events, snapshots and
/// coverage compare without conversions.
public struct Timestamp: Sendable, Hashable, Comparable, Codable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public init(seconds: Int64) { self.nanoseconds = seconds * 1_000_000_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }

    /// The instants a time read from input may name: 1678-01-01T00:00:00Z to 2261-12-31T23:59:59.999999999Z,
    /// the whole years Int64 nanoseconds hold (their limits fall in 1677 and 2262). The ~100 days left
    /// on either side absorb the tolerances and windows later added to such a time without overflow.
    public static let earliest = Timestamp(nanoseconds: -9_214_560_000_000_000_000)
    public static let latest = Timestamp(nanoseconds: 9_214_646_399_999_999_999)

    /// `nanoseconds` as a timestamp when it lies between `earliest` and `latest`, else nil.
    public init?(checkedNanoseconds nanoseconds: Int64) {
        guard nanoseconds >= Self.earliest.nanoseconds, nanoseconds <= Self.latest.nanoseconds else { return nil }
        self.nanoseconds = nanoseconds
    }

    /// Unix seconds from input: nil, rather than an overflow trap, outside `earliest...latest`.
    public init?(checkedSeconds seconds: Int64, nanoseconds extra: Int64 = 0) {
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, carry) = whole.addingReportingOverflow(extra)
        guard !overflow, !carry else { return nil }
        self.init(checkedNanoseconds: sum)
    }

    /// The wall clock now.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    public var seconds: Int64 { nanoseconds.floorDivided(by: 1_000_000_000) }

    public func adding(nanoseconds delta: Int64) -> Timestamp { Timestamp(nanoseconds: nanoseconds + delta) }

    public init(from decoder: any Decoder) throws {
        nanoseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanoseconds)
    }
}

extension Int64 {
    func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }

    /// The remainder that goes with `floorDivided(by:)`, in `0..<d` for a positive `d`; unlike
    /// `self - floorDivided(by: d) * d` it cannot overflow near `Int64.min`.
    func floorRemainder(dividingBy d: Int64) -> Int64 {
        let r = self % d
        return r != 0 && (r < 0) != (d < 0) ? r + d : r
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
