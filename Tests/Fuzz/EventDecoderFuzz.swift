@testable import DockerAPI

/// One input is a piece of an event stream: cut into lines the way the stream is, each line decoded
/// with and without an interner (which must agree), and what decoded read back.
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
        precondition(a == b && a.attributes.pairs == b.attributes.pairs, "the interner changed a decoded event")
        for pair in a.attributes.pairs { precondition(a.attributes[pair.key] != nil, "attribute \(pair.key) not found again") }
        precondition(a.attributes.count == a.attributes.pairs.count)
        _ = a.fullAction
    case (.malformed(let a), .malformed(let b)):
        precondition(a.raw == Array(line) && !a.reason.isEmpty && a.raw == b.raw)
    default:
        preconditionFailure("the interner changed whether a line decodes")
    }
}
