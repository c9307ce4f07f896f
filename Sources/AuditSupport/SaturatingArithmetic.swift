extension Int64 {
    /// `|self - other|`, saturating at `Int64.max`: two instants Int64 nanoseconds can hold may lie
    /// further apart than Int64 nanoseconds can count (1678 and 2026), and such times arrive in records.
    public func distance(saturatingTo other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? .max : difference.magnitude > UInt64(Int64.max) ? .max : Int64(difference.magnitude)
    }
}

extension Int64 {
    /// `self - other` for a non-negative `other`, at `Int64.min` instead of trapping: a window widened
    /// back from a time far in the past.
    public func minus(saturating other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? .min : difference
    }
}

extension Int64 {
    /// `self + other` for a non-negative `other`, at `Int64.max` instead of trapping.
    public func plus(saturating other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
