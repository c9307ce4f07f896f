#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Word-at-a-time checks for the decoder's strings. An event line is ~1 KB of strings; testing each
/// byte for a quote, a backslash and a control character was the decoder's largest cost.
public enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the next `"` at or after `from`, or nil.
    @inline(__always)
    static func quote(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress,
              let hit = memchr(base + from, Int32(UInt8(ascii: "\"")), bytes.count - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// True when `span` is ASCII with no backslash and no control character: a JSON string body that
    /// means exactly its bytes.
    @inline(__always)
    static func isPlain(_ span: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = span.count
        while i + 8 <= n {
            let w = span.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if w & highs != 0 { return false }
            // With no high bits set these are exact: a byte below 0x20, a byte equal to 0x5C.
            if (w &- ones &* 0x20) & ~w & highs != 0 { return false }
            let x = w ^ (ones &* 0x5C)
            if (x &- ones) & ~x & highs != 0 { return false }
            i += 8
        }
        while i < n {
            let b = span[i]
            if b < 0x20 || b >= 0x80 || b == 0x5C { return false }
            i += 1
        }
        return true
    }

    /// Same bytes? The same buffer (an interned label set) answers without comparing.
    @inline(__always)
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || a.baseAddress == b.baseAddress || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    @inline(__always)
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in equal(x, y) } }
    }

    /// True when `span` holds a backslash.
    @inline(__always)
    static func hasBackslash(_ span: UnsafeRawBufferPointer) -> Bool {
        guard let base = span.baseAddress, span.count > 0 else { return false }
        return memchr(base, 0x5C, span.count) != nil
    }
}
