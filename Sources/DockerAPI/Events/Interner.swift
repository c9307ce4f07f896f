/// Remembers what one event stream repeats, so repeats share one allocation.
///
/// A busy host's stream is the same few dozen container ids, the same health-check command lines and
/// each container's same label set, over and over. Decoding them afresh made four heap allocations
/// per event, and allocating and freeing them was the largest cost left on the reading thread. With an
/// interner the id, the action and its command, and the label set are looked up by their bytes and
/// shared; only what is new (an exec id) is allocated.
///
/// One stream, one thread: the decoder of a stream owns its interner (hence unchecked).
public final class Interner: @unchecked Sendable {
    private var strings: [ByteKey: String] = [:]
    private var actions: [ByteKey: (String, String?)] = [:]
    private var labelSets: [String: [UInt8]] = [:]
    /// Reused to assemble a label set before comparing it with the remembered one.
    var scratch: [UInt8] = []
    private let limit: Int

    /// `limit` bounds each table; a table that fills is emptied (a host with that many distinct ids
    /// gains little from remembering them).
    public init(limit: Int = 4096) {
        self.limit = limit
        scratch.reserveCapacity(2048)
    }

    /// The String for plain (escape-free, ASCII) bytes.
    func string(_ bytes: UnsafeRawBufferPointer) -> String {
        if let known = strings[ByteKey(borrowing: bytes)] { return known }
        let made = String(decoding: bytes, as: UTF8.self)
        if strings.count >= limit { strings.removeAll(keepingCapacity: true) }
        strings[ByteKey(owning: bytes)] = made
        return made
    }

    /// The (action, detail) an `Action` of plain bytes splits into, `make` computing it the first time.
    func action(_ bytes: UnsafeRawBufferPointer, _ make: (String) -> (String, String?)) -> (String, String?) {
        if let known = actions[ByteKey(borrowing: bytes)] { return known }
        let made = make(String(decoding: bytes, as: UTF8.self))
        if actions.count >= limit { actions.removeAll(keepingCapacity: true) }
        actions[ByteKey(owning: bytes)] = made
        return made
    }

    /// The label set in `scratch`, as the array remembered for `actor` when it is the same bytes.
    func labelSet(for actor: String) -> [UInt8] {
        if let known = labelSets[actor], ByteScan.equal(known, scratch) { return known }
        let made = scratch
        if labelSets.count >= limit { labelSets.removeAll(keepingCapacity: true) }
        labelSets[actor] = made
        return made
    }
}

/// Bytes as a dictionary key: borrowed for a lookup (no copy), owned once stored.
private struct ByteKey: Hashable {
    private let owned: [UInt8]?
    private let borrowed: UnsafeRawBufferPointer

    init(borrowing bytes: UnsafeRawBufferPointer) {
        owned = nil
        borrowed = bytes
    }

    init(owning bytes: UnsafeRawBufferPointer) {
        owned = Array(bytes)
        borrowed = UnsafeRawBufferPointer(start: nil, count: 0)
    }

    private func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let owned { return owned.withUnsafeBytes(body) }
        return body(borrowed)
    }

    func hash(into hasher: inout Hasher) { withBytes { hasher.combine(bytes: $0) } }

    static func == (a: ByteKey, b: ByteKey) -> Bool {
        a.withBytes { x in b.withBytes { y in ByteScan.equal(x, y) } }
    }
}
