@testable import DockerAPI

/// One input is a piece of an event stream: cut into lines the way the stream is, each line decoded
/// with and without an interner (which must agree), what decoded read back, and the line decoded
/// again with whitespace after every `:` and `,` of the event's own objects (which must not matter).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var splitter = LineSplitter(maximumLineLength: 8192)
    let interner = Interner(limit: 4)
    let cut = size / 3
    splitter.feed(UnsafeRawBufferPointer(rebasing: input[..<cut])) { check($0, interner) }
    splitter.feed(UnsafeRawBufferPointer(rebasing: input[cut...])) { check($0, interner) }
    splitter.finish { check($0, interner) }
    let text = String(decoding: input, as: UTF8.self)
    _ = try? FlatJSON.stringMap(text)
    _ = try? FlatJSON.stringArray(text)
    return 0
}

private func check(_ line: UnsafeRawBufferPointer, _ interner: Interner) {
    let plain = EventDecoder.decode(line)
    let interned = EventDecoder.decode(line, interner: interner)
    switch (plain, interned) {
    case (.event(let a), .event(let b)):
        require(a == b && a.attributes.pairs == b.attributes.pairs, "the interner changed a decoded event")
        for pair in a.attributes.pairs { require(a.attributes[pair.key] != nil, "attribute \(pair.key) not found again") }
        require(a.attributes.count == a.attributes.pairs.count, "count disagrees with pairs")
        _ = a.fullAction
        let spaced = spacedOut(line)
        let again = spaced.withUnsafeBytes { EventDecoder.decode($0) }
        require(again == plain, "whitespace changed the event: \(again)")
    case (.malformed(let a), .malformed(let b)):
        require(a.raw == Array(line) && !a.reason.isEmpty && a.raw == b.raw, "a malformed line lost its bytes or reason")
    default:
        fatalError("the interner changed whether a line decodes: \(plain) / \(interned)")
    }
}

/// The line with a space after each `:` and `,` outside strings, in the top object, `Actor` and
/// `Attributes` only: deeper values are kept as their JSON text, where whitespace is part of it.
private func spacedOut(_ line: UnsafeRawBufferPointer) -> [UInt8] {
    var out: [UInt8] = [0x20]
    var depth = 0
    var inString = false
    var escaped = false
    for b in line {
        out.append(b)
        if inString {
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            continue
        }
        switch b {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
        case UInt8(ascii: ":"), UInt8(ascii: ","): if depth <= 3 { out.append(0x20) }
        default: break
        }
    }
    return out
}
