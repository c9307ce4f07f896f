import Testing
@testable import DockerAPI

/// The decoder keeps the daemon's attribute bytes when they are canonical and splits off the
/// per-event keys; whatever it cannot keep must decode to exactly the same pairs the general path gives.
@Suite struct CanonicalAttributesTests {
    static func attributes(_ json: String) throws -> Attributes {
        let line = #"{"Type":"container","Action":"exec_die","Actor":{"ID":"c1","Attributes":"# + json + #"},"time":1,"timeNano":1000000000}"#
        guard case .event(let event) = EventDecoder.decode(line) else { throw DecodeFailed(line: line) }
        return event.attributes
    }

    struct DecodeFailed: Error { let line: String }

    @Test func keepsSortedPlainBytesAndSplitsPerEventKeys() throws {
        let a = try Self.attributes(#"{"execID":"e1","exitCode":"0","image":"busybox","name":"web"}"#)
        let parts = try #require(a.canonicalParts)
        #expect(String(decoding: parts.stable, as: UTF8.self) == #"{"image":"busybox","name":"web"}"#)
        #expect(String(decoding: parts.extra, as: UTF8.self) == #"{"execID":"e1","exitCode":"0"}"#)
        #expect(a.pairs.map(\.key) == ["execID", "exitCode", "image", "name"])
        #expect(a["exitCode"] == "0" && a["name"] == "web" && a["missing"] == nil)
        #expect(a.count == 4)
    }

    @Test func perEventKeysAtTheEdgesLeaveValidObjects() throws {
        // A network event: `container` is per-event and sits between the stable keys.
        let network = try #require(try Self.attributes(#"{"container":"abc","name":"bridge","type":"bridge"}"#).canonicalParts)
        #expect(String(decoding: network.stable, as: UTF8.self) == #"{"name":"bridge","type":"bridge"}"#)
        #expect(String(decoding: network.extra, as: UTF8.self) == #"{"container":"abc"}"#)
        let last = try #require(try Self.attributes(#"{"image":"x","signal":"15"}"#).canonicalParts)
        #expect(String(decoding: last.stable, as: UTF8.self) == #"{"image":"x"}"#)
        let only = try #require(try Self.attributes(#"{"execID":"e"}"#).canonicalParts)
        #expect(String(decoding: only.stable, as: UTF8.self) == "{}")
        #expect(String(decoding: only.extra, as: UTF8.self) == #"{"execID":"e"}"#)
        let none = try #require(try Self.attributes(#"{"image":"x"}"#).canonicalParts)
        #expect(none.extra.isEmpty)
    }

    @Test(arguments: [
        (#"{"image":"a\"b","name":"web"}"#, ["image": "a\"b", "name": "web"]),          // a quote
        (#"{"image":"caf\#u{e9}","name":"web"}"#, ["image": "caf\u{e9}", "name": "web"]), // non-ASCII
        (#"{}"#, [:]),
    ])
    func whatHasNoCanonicalFormDecodesTheGeneralWay(json: String, expected: [String: String]) throws {
        let a = try Self.attributes(json)
        #expect(a.canonicalParts == nil, "\(json) is not canonical")
        #expect(a.count == expected.count)
        for (key, value) in expected { #expect(a[key] == value, "\(key) in \(json)") }
    }

    /// Decoded the general way, then given the bytes the daemon would have sent (issue 10).
    @Test(arguments: [
        #"{"name":"web","image":"busybox","exitCode":"0"}"#,        // unsorted
        #"{ "exitCode" : "0" , "image":"busybox","name":"web"}"#,   // whitespace
        #"{"exitCode":0,"image":"busybox","name":"web"}"#,          // non-string value
        #"{"exitCode":"0","image":"busy\u0062ox","n\u0061me":"web"}"#, // escapes of plain characters
    ])
    func anythingElseWithACanonicalFormGetsIt(json: String) throws {
        let a = try Self.attributes(json)
        let parts = try #require(a.canonicalParts, "\(json)")
        #expect(String(decoding: parts.stable, as: UTF8.self) == #"{"image":"busybox","name":"web"}"#)
        #expect(String(decoding: parts.extra, as: UTF8.self) == #"{"exitCode":"0"}"#)
    }

    @Test func aRepeatedKeyIsNotKeptAsCanonical() throws {
        #expect(try Self.attributes(#"{"image":"busybox","image":"other"}"#).canonicalParts == nil)
    }

    @Test func equalMapsCompareEqualWhicheverWayTheyWereRead() throws {
        let kept = try Self.attributes(#"{"execID":"e1","image":"busybox","name":"web"}"#)
        let decoded = Attributes([.init("execID", "e1"), .init("image", "busybox"), .init("name", "web")])
        #expect(kept == decoded)
        #expect(kept.hashValue == decoded.hashValue)
        #expect(kept != (try Self.attributes(#"{"execID":"e2","image":"busybox","name":"web"}"#)))
    }

    @Test func plainSpansAreFoundAtEveryOffsetOfAWord() {
        let base = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        #expect(base.withUnsafeBytes { ByteScan.isPlain($0) })
        for bad: UInt8 in [0x5C, 0x00, 0x1F, 0x80, 0xFF] {
            for offset in 0..<base.count {
                var bytes = base
                bytes[offset] = bad
                #expect(!bytes.withUnsafeBytes { ByteScan.isPlain($0) }, "byte \(bad) at \(offset)")
            }
        }
        // The neighbours of the rejected ranges are plain.
        let edges: [UInt8] = [0x20, 0x5B, 0x5D, 0x7F]
        #expect(edges.withUnsafeBytes { ByteScan.isPlain($0) })
    }
}

@Suite struct InternerTests {
    /// Interning changes allocations, never results: every line of a real capture decodes the same,
    /// and a container's unchanged label set comes back as the very same array.
    @Test func decodesARealCaptureExactlyAsWithoutAndSharesLabelSets() throws {
        let interner = Interner()
        var shared = 0
        var previous: [String: [UInt8]] = [:]
        for line in try EventDecoderTests.capture() {
            var bytes = Array(line.utf8)
            let plain = bytes.withUnsafeBytes { EventDecoder.decode($0) }
            let interned = bytes.withUnsafeBytes { EventDecoder.decode($0, interner: interner) }
            guard case .event(let a) = plain, case .event(let b) = interned else { Issue.record("did not decode: \(line)"); continue }
            #expect(a == b)
            #expect(a.attributes.pairs == b.attributes.pairs)
            if let stable = b.attributes.canonicalParts?.stable {
                if let before = previous[b.actorID], before == stable,
                   before.withUnsafeBytes({ x in stable.withUnsafeBytes { y in x.baseAddress == y.baseAddress } }) { shared += 1 }
                previous[b.actorID] = stable
            }
            bytes.removeAll()
        }
        #expect(shared > 10, "repeated label sets must be one array")
    }

    /// Found by Tests/Fuzz (events harness): with an interner an empty `Action` was consumed, then
    /// read again (quarantined as "expected a string"), and an `Action` repeated in another spelling
    /// lost to the first one; the stream (interned) and `decode(_:)` disagreed.
    @Test(arguments: [
        #"{"status":"start","Type":"container","Action":"","Actor":{"ID":"c1"},"timeNano":1}"#,
        #"{"Type":"container","Action":"start","Action":"exec_start: sh","Actor":{"ID":"c1"},"timeNano":1}"#,
        #"{"Type":"container","Action":"start","Action":"café","Actor":{"ID":"c1"},"timeNano":1}"#,
        #"{"Type":"container","Action":"café","Action":"stop","Actor":{"ID":"c1"},"timeNano":1}"#,
        #"{"Type":"container","Action":"start","Action":null,"status":"die","Actor":{"ID":"c1"},"timeNano":1}"#,
    ])
    func anInternerNeverChangesWhatALineMeans(line: String) throws {
        let plain = EventDecoder.decode(line)
        #expect(EventDecoder.decode(line, interner: Interner()) == plain)
        guard case .event = plain else { Issue.record("\(plain)"); return }
    }

    @Test func anInternedActionStillSplitsAndSpeaksDocker() throws {
        let interner = Interner()
        for _ in 0..<2 {
            let line = #"{"Type":"container","Action":"exec_died","Actor":{"ID":"c1","Attributes":{"execID":"e"}},"time":1,"timeNano":1}"#
            guard case .event(let e) = EventDecoder.decode(line, interner: interner) else { Issue.record("did not decode"); return }
            #expect(e.action == "exec_die" && e.detail == nil)
            let exec = #"{"Type":"container","Action":"exec_start: sh -c date","Actor":{"ID":"c1","Attributes":{"execID":"e"}},"time":1,"timeNano":1}"#
            guard case .event(let x) = EventDecoder.decode(exec, interner: interner) else { Issue.record("did not decode"); return }
            #expect(x.action == "exec_start" && x.detail == "sh -c date")
        }
    }
}
