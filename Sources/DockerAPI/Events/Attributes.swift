/// An event's attributes: an ordered string map (events carry ~10–25 attributes, so a linear scan
/// beats hashing).
///
/// The decoder keeps the daemon's bytes when they are already canonical JSON (sorted keys, no escapes,
/// no whitespace: what Go's encoder writes for a label map), split into the part that repeats on every
/// event of an object and the per-event part. The hot path builds no String per attribute, and the
/// store keeps those bytes as they are. Everything else holds decoded pairs.
public struct Attributes: Sendable {
    public struct Pair: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) { self.key = key; self.value = value }
    }

    /// Keys whose values change from one event of an object to the next (exec ids, exit codes,
    /// signals, a rename's old name, a network's container): everything else is the object's labels,
    /// image and name, which repeat on every event.
    public static let perEventKeys: [String] = [
        "execID", "exitCode", "signal", "oldName", "execDuration",
        "container", "destination", "propagation", "read/write", "containerExitCode", "changes",
    ]

    /// Canonical JSON objects: `{"k":"v",...}`, keys strictly ascending, ASCII without `"`, `\` or
    /// control characters. `extra` is empty when the event had no per-event attributes.
    public struct CanonicalParts: Sendable, Equatable {
        public let stable: [UInt8]
        public let extra: [UInt8]
        public init(stable: [UInt8], extra: [UInt8]) { self.stable = stable; self.extra = extra }
    }

    private enum Storage: Sendable {
        case pairs([Pair])
        case canonical(CanonicalParts)
    }

    private let storage: Storage

    public init(_ pairs: [Pair] = []) { storage = .pairs(pairs) }

    public init(_ dictionary: [String: String]) {
        storage = .pairs(dictionary.sorted { $0.key < $1.key }.map { Pair($0.key, $0.value) })
    }

    /// Parts the decoder built with `CanonicalObject.parse`.
    init(canonical parts: CanonicalParts) { storage = .canonical(parts) }

    /// The daemon's canonical bytes, split, when they were kept; nil for decoded pairs.
    public var canonicalParts: CanonicalParts? {
        if case .canonical(let parts) = storage { return parts }
        return nil
    }

    /// The attributes in key order for canonical bytes, in the given order otherwise.
    public var pairs: [Pair] {
        switch storage {
        case .pairs(let pairs): return pairs
        case .canonical(let parts):
            var pairs: [Pair] = []
            parts.forEachMember { key, value in
                pairs.append(Pair(String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            }
            return parts.extra.isEmpty ? pairs : pairs.sorted { $0.key < $1.key }
        }
    }

    public subscript(key: String) -> String? {
        switch storage {
        case .pairs(let pairs):
            for pair in pairs where pair.key == key { return pair.value }
            return nil
        case .canonical(let parts):
            var found: String?
            var wanted = key
            wanted.withUTF8 { wantedBytes in
                parts.forEachMember { k, value in
                    if found == nil, ByteScan.equal(k, UnsafeRawBufferPointer(wantedBytes)) { found = String(decoding: value, as: UTF8.self) }
                }
            }
            return found
        }
    }

    /// Kept bytes always hold a member (`CanonicalObject.parse` leaves `{}` to the general decoder),
    /// so only decoded pairs can be empty; the decoder asks this of every event.
    public var isEmpty: Bool {
        if case .pairs(let pairs) = storage { return pairs.isEmpty }
        return false
    }

    public var count: Int {
        switch storage {
        case .pairs(let pairs): return pairs.count
        case .canonical(let parts):
            var n = 0
            parts.forEachMember { _, _ in n += 1 }
            return n
        }
    }
}

extension Attributes.CanonicalParts {
    func forEachMember(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        CanonicalObject.forEachMember(stable, body)
        CanonicalObject.forEachMember(extra, body)
    }
}

extension Attributes: Equatable, Hashable {
    /// Canonical bytes are a function of the pairs, so comparing bytes agrees with comparing pairs.
    public static func == (lhs: Attributes, rhs: Attributes) -> Bool {
        if let l = lhs.canonicalParts, let r = rhs.canonicalParts { return l == r }
        return lhs.pairs == rhs.pairs
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(pairs) }
}

/// Recognising, splitting and reading canonical attribute objects.
enum CanonicalObject {
    /// Walks a canonical object: no escapes, so every `"` delimits.
    static func forEachMember(_ bytes: [UInt8], _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { raw in
            var i = 1
            while i < raw.count, raw[i] == UInt8(ascii: "\""),
                  let keyEnd = ByteScan.quote(in: raw, from: i + 1),
                  case let valueStart = keyEnd + 3,  // past `":"`
                  let valueEnd = ByteScan.quote(in: raw, from: valueStart) {
                body(UnsafeRawBufferPointer(rebasing: raw[(i + 1)..<keyEnd]), UnsafeRawBufferPointer(rebasing: raw[valueStart..<valueEnd]))
                i = valueEnd + 2  // past `",` or `"}`
            }
        }
    }

    /// When the object at the start of `raw` is a canonical string map, its length and its parts;
    /// nil when it is not one (whitespace, escapes, non-ASCII, non-string values, unsorted or repeated
    /// keys, empty): the caller then decodes it the general way. With an interner and the actor's id,
    /// a label set equal to the actor's previous one is that same array.
    static func parse(at raw: UnsafeRawBufferPointer, interner: Interner? = nil, actorID: String? = nil) -> (length: Int, parts: Attributes.CanonicalParts)? {
        guard raw.count >= 2, raw[0] == UInt8(ascii: "{"), raw[1] == UInt8(ascii: "\"") else { return nil }
        var i = 1
        var previousKey = UnsafeRawBufferPointer(start: nil, count: 0)
        var perEvent = MemberRanges()
        while true {
            let memberStart = i
            guard let keyEnd = plainStringEnd(raw, from: i) else { return nil }
            let key = UnsafeRawBufferPointer(rebasing: raw[(i + 1)..<keyEnd])
            if previousKey.baseAddress != nil, !ascending(previousKey, key) { return nil }
            previousKey = key
            i = keyEnd + 1
            guard i < raw.count, raw[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let valueEnd = plainStringEnd(raw, from: i) else { return nil }
            if isPerEventKey(key) { perEvent.append(memberStart..<(valueEnd + 1)) }
            i = valueEnd + 1
            guard i < raw.count else { return nil }
            if raw[i] == UInt8(ascii: "}") { break }
            guard raw[i] == UInt8(ascii: ","), i + 1 < raw.count else { return nil }
            i += 1
        }
        let object = UnsafeRawBufferPointer(rebasing: raw[..<(i + 1)])
        if perEvent.isEmpty, interner == nil { return (i + 1, .init(stable: Array(object), extra: [])) }
        let stable: [UInt8]
        if let interner, let actorID {
            interner.scratch.removeAll(keepingCapacity: true)
            appendStable(object, perEvent, to: &interner.scratch)
            stable = interner.labelSet(for: actorID)
        } else {
            var built: [UInt8] = []
            built.reserveCapacity(object.count)
            appendStable(object, perEvent, to: &built)
            stable = built
        }
        return (i + 1, .init(stable: stable, extra: extra(object, perEvent)))
    }

    /// The canonical parts of decoded pairs that have them: at least one member, every key and value
    /// ASCII without `"`, `\\` or control characters, no key twice. Built as the daemon would write
    /// them and read back with `parse`, so both paths split and intern alike; nil otherwise.
    static func canonical(_ pairs: [Attributes.Pair], interner: Interner?, actorID: String?) -> Attributes.CanonicalParts? {
        guard !pairs.isEmpty else { return nil }
        var object: [UInt8] = [UInt8(ascii: "{")]
        object.reserveCapacity(64 * pairs.count)
        for (i, pair) in pairs.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if i > 0 { object.append(UInt8(ascii: ",")) }
            guard appendQuoted(pair.key, to: &object) else { return nil }
            object.append(UInt8(ascii: ":"))
            guard appendQuoted(pair.value, to: &object) else { return nil }
        }
        object.append(UInt8(ascii: "}"))
        return object.withUnsafeBytes { parse(at: $0, interner: interner, actorID: actorID)?.parts }
    }

    private static func appendQuoted(_ text: String, to out: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            let raw = UnsafeRawBufferPointer(utf8)
            // `parse` re-checks the rest, but a quote inside a value would read as a member boundary.
            guard ByteScan.isPlain(raw), ByteScan.quote(in: raw, from: 0) == nil else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: raw)
            out.append(UInt8(ascii: "\""))
            return true
        }
    }

    /// The object without its per-event members.
    private static func appendStable(_ object: UnsafeRawBufferPointer, _ perEvent: MemberRanges, to out: inout [UInt8]) {
        let start = out.count
        out.append(UInt8(ascii: "{"))
        var from = 1  // after `{`
        perEvent.forEach { member in
            appendRun(object[from..<member.lowerBound], to: &out, first: out.count == start + 1)
            from = member.upperBound
        }
        appendRun(object[from..<(object.count - 1)], to: &out, first: out.count == start + 1)
        out.append(UInt8(ascii: "}"))
    }

    /// The per-event members as an object of their own; empty when there are none.
    private static func extra(_ object: UnsafeRawBufferPointer, _ perEvent: MemberRanges) -> [UInt8] {
        guard !perEvent.isEmpty else { return [] }
        var extra: [UInt8] = [UInt8(ascii: "{")]
        perEvent.forEach { member in
            if extra.count > 1 { extra.append(UInt8(ascii: ",")) }
            extra.append(contentsOf: object[member])
        }
        extra.append(UInt8(ascii: "}"))
        return extra
    }

    /// Appends a run of members, dropping the commas that bordered a removed member.
    private static func appendRun(_ run: Slice<UnsafeRawBufferPointer>, to out: inout [UInt8], first: Bool) {
        var run = run
        while run.first == UInt8(ascii: ",") { run = run.dropFirst() }
        while run.last == UInt8(ascii: ",") { run = run.dropLast() }
        guard !run.isEmpty else { return }
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: run)
    }

    /// Where the per-event members are: rarely more than two, so kept inline (no allocation per event).
    struct MemberRanges {
        private var inline: (Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0)
        private var overflow: [Range<Int>] = []
        private(set) var count = 0
        var isEmpty: Bool { count == 0 }

        mutating func append(_ range: Range<Int>) {
            switch count {
            case 0: inline.0 = range
            case 1: inline.1 = range
            case 2: inline.2 = range
            default: overflow.append(range)
            }
            count += 1
        }

        func forEach(_ body: (Range<Int>) -> Void) {
            if count > 0 { body(inline.0) }
            if count > 1 { body(inline.1) }
            if count > 2 { body(inline.2) }
            overflow.forEach(body)
        }
    }

    private static let perEventKeyBytes: [[UInt8]] = Attributes.perEventKeys.map { Array($0.utf8) }

    @inline(__always)
    private static func isPerEventKey(_ key: UnsafeRawBufferPointer) -> Bool {
        // Cheap reject first: every per-event key starts with one of these letters.
        switch key.first {
        case UInt8(ascii: "e"), UInt8(ascii: "s"), UInt8(ascii: "o"), UInt8(ascii: "c"), UInt8(ascii: "d"),
             UInt8(ascii: "p"), UInt8(ascii: "r"):
            break
        default:
            return false
        }
        for candidate in perEventKeyBytes where candidate.count == key.count {
            if candidate.withUnsafeBytes({ ByteScan.equal($0, key) }) { return true }
        }
        return false
    }

    /// Index of the closing quote of the plain string opening at `start`.
    @inline(__always)
    private static func plainStringEnd(_ raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < raw.count, raw[start] == UInt8(ascii: "\""),
              let end = ByteScan.quote(in: raw, from: start + 1),
              ByteScan.isPlain(UnsafeRawBufferPointer(rebasing: raw[(start + 1)..<end])) else { return nil }
        return end
    }

    private static func ascending(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = min(a.count, b.count)
        let c = n == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, n)
        return c < 0 || (c == 0 && a.count < b.count)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
