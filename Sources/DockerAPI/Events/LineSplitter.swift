/// Cuts a byte stream into lines. Chunks from the socket do not align with events, so a partial
/// line is carried over to the next chunk. Strips `\r` and the json-seq record separator (0x1E).
public struct LineSplitter: Sendable {
    private var carry: [UInt8] = []
    /// Lines longer than this are cut off and reported as malformed rather than growing memory forever.
    public let maximumLineLength: Int

    public init(maximumLineLength: Int = 4 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Calls `body` with each complete line in `chunk` (without its terminator). The buffer passed to
    /// `body` is only valid during the call.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        let n = chunk.count
        // memchr: lines are ~1 KB, and scanning them byte by byte was a visible share of ingest.
        while start < n, let hit = memchr(base + start, 0x0A, n - start) {
            let i = base.distance(to: UnsafeRawPointer(hit))
            if carry.isEmpty {
                emit(UnsafeRawBufferPointer(start: base + start, count: i - start), body)
            } else {
                carry.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: i - start))
                carry.withUnsafeBytes { emit($0, body) }
                carry.removeAll(keepingCapacity: true)
            }
            start = i + 1
        }
        if start < n {
            carry.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: n - start))
            if carry.count > maximumLineLength {
                let line = carry
                carry.removeAll()
                line.withUnsafeBytes { emit($0, body) }
            }
        }
    }

    /// Hands over what is left when the stream ends without a final newline (a truncated last line).
    public mutating func finish(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard !carry.isEmpty else { return }
        let line = carry
        carry.removeAll()
        line.withUnsafeBytes { emit($0, body) }
    }

    private func emit(_ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var lo = 0
        var hi = line.count
        while lo < hi, line[lo] == 0x1E || line[lo] == 0x20 || line[lo] == 0x09 { lo += 1 }
        while hi > lo, line[hi - 1] == 0x0D || line[hi - 1] == 0x20 || line[hi - 1] == 0x09 { hi -= 1 }
        guard hi > lo else { return }
        body(UnsafeRawBufferPointer(rebasing: line[lo..<hi]))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
