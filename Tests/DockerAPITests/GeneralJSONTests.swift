import Testing
@testable import DockerAPI

/// Issue 10: an event in any JSON RFC 8259 allows decodes to the event Docker's compact bytes give,
/// its attributes in the same canonical form, so stored label sets dedupe alike. The fixtures are the
/// real capture re-serialised: by Python's `json.dumps` with CRLF line ends, and with every object's
/// keys reversed, whitespace between all tokens and the event's own keys spelled with `\u` escapes.
@Suite struct GeneralJSONTests {
    static func lines(_ name: String) throws -> [[UInt8]] {
        let text = try #require(readFile("/" + EventDecoderTests.fixtures + "/Fixtures/" + name))
        var splitter = LineSplitter()
        var lines: [[UInt8]] = []
        Array(text.utf8).withUnsafeBytes { splitter.feed($0) { lines.append(Array($0)) } }
        splitter.finish { lines.append(Array($0)) }
        return lines
    }

    @Test(arguments: ["engine-20.10-capture.json-dumps.ndjson", "engine-20.10-capture.reordered.ndjson"])
    func reserialisedCaptureDecodesToTheCompactEvents(file: String) throws {
        let compact = try Self.lines("engine-20.10-capture.ndjson")
        let other = try Self.lines(file)
        try #require(compact.count == other.count && compact.count > 40)
        let interners = (Interner(), Interner())
        for (a, b) in zip(compact, other) {
            guard case .event(let expected) = a.withUnsafeBytes({ EventDecoder.decode($0) }),
                  case .event(let event) = b.withUnsafeBytes({ EventDecoder.decode($0) }) else {
                Issue.record("did not decode: \(String(decoding: b, as: UTF8.self))")
                continue
            }
            #expect(event == expected)
            #expect(event.attributes.canonicalParts == expected.attributes.canonicalParts)
            #expect(event.attributes.pairs == expected.attributes.pairs)
            let internedExpected = a.withUnsafeBytes { EventDecoder.decode($0, interner: interners.0) }
            let interned = b.withUnsafeBytes { EventDecoder.decode($0, interner: interners.1) }
            #expect(interned == internedExpected)
        }
    }

    /// The backfill of the issue: quarantined as "invalid number at byte 881".
    @Test func whitespaceBeforeNumbersAndAfterTheLine() throws {
        let compact = #"{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"busybox","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000000000001}"#
        let spaced = #"{"Type": "container", "Action": "start", "Actor": {"ID": "abc", "Attributes": {"image": "busybox", "name": "web"}}, "scope": "local", "time": 1700000000, "timeNano": 1700000000000000001}"# + "\r\n"
        guard case .event(let expected) = EventDecoder.decode(compact) else { Issue.record("compact not decoded"); return }
        guard case .event(let event) = EventDecoder.decode(spaced) else { Issue.record("\(EventDecoder.decode(spaced))"); return }
        #expect(event == expected)
        #expect(event.attributes.canonicalParts != nil)
    }

    @Test func escapedKeysMeanTheirDecodedNames() throws {
        let line = #"{"\u0054ype":"container","Action":"die","\u0041ctor":{"\u0049D":"abc","Attri\u0062utes":{"exit\u0043ode":"1","image":"x"}},"time\u004eano":5}"#
        guard case .event(let e) = EventDecoder.decode(line) else { Issue.record("\(EventDecoder.decode(line))"); return }
        #expect(e.type == "container" && e.actorID == "abc" && e.timeNano == 5)
        #expect(e.attributes["exitCode"] == "1")
        #expect(e.attributes.canonicalParts?.extra == Array(#"{"exitCode":"1"}"#.utf8))
    }

    /// What cannot be canonical bytes (a quote, non-ASCII) still comes in Docker's key order.
    @Test func undecodableAsCanonicalStillSortsLikeDocker() throws {
        let sorted = try CanonicalAttributesTests.attributes(#"{"image":"caf\u00e9","name":"a\"b"}"#)
        let reversed = try CanonicalAttributesTests.attributes(#"{"name": "a\"b", "image": "café"}"#)
        #expect(reversed.canonicalParts == nil)
        #expect(reversed.pairs == sorted.pairs)
        #expect(reversed.pairs.map(\.key) == ["image", "name"])
    }
}
