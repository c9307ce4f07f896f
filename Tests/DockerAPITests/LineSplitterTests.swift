import Testing
@testable import DockerAPI

@Suite struct LineSplitterTests {
    private func lines(_ chunks: [[UInt8]]) -> [String] {
        var splitter = LineSplitter()
        var out: [String] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { splitter.feed($0) { out.append(String(decoding: $0, as: UTF8.self)) } }
        }
        splitter.finish { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }

    @Test func joinsLinesSplitAcrossChunks() {
        let text = Array("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n".utf8)
        for cut in 1..<text.count {
            #expect(lines([Array(text[..<cut]), Array(text[cut...])]) == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"], "cut at \(cut)")
        }
    }

    @Test func stripsJSONSeqSeparatorsAndCarriageReturns() {
        #expect(lines([[0x1E] + Array("{\"a\":1}\r\n".utf8) + [0x1E] + Array("{\"b\":2}\n".utf8)]) == ["{\"a\":1}", "{\"b\":2}"])
    }

    @Test func handsOverATruncatedLastLineAndSkipsBlankLines() {
        #expect(lines([Array("\n\n{\"a\":1}\n{\"tru".utf8)]) == ["{\"a\":1}", "{\"tru"])
    }
}
