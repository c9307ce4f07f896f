/// Comparison whose running time does not depend on where two secrets first differ, so a caller
/// probing a webhook endpoint cannot learn a token byte by byte.
enum ConstantTime {
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        // The length of a shared secret is not itself secret enough to hide; the contents are.
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
