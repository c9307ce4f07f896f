/// Stands in for swift-crypto in the fuzz build only, so the harnesses compile from a handful of
/// source files instead of BoringSSL (minutes under the sanitizers). It is not cryptography: the
/// "hash" is FNV-1a spread over 32 bytes. What is fuzzed is the parsing around the MACs (header
/// shapes, timestamps, base64, the bodies), and a MAC a mutation can reach lets the fuzzer through
/// to the accepting paths too.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(data: some Sequence<UInt8>) -> [UInt8] {
        var state: [UInt64] = [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321]
        for byte in data {
            for lane in state.indices { state[lane] = (state[lane] ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        return state.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
    }
}

public struct SymmetricKey {
    let bytes: [UInt8]
    public init(data: some Sequence<UInt8>) { bytes = Array(data) }
}

public enum HMAC<H> {
    public static func authenticationCode(for data: some Sequence<UInt8>, using key: SymmetricKey) -> [UInt8] {
        SHA256.hash(data: key.bytes + [0] + Array(data))
    }

    public static func isValidAuthenticationCode(_ mac: some Sequence<UInt8>, authenticating data: some Sequence<UInt8>,
                                                 using key: SymmetricKey) -> Bool {
        Array(mac) == authenticationCode(for: data, using: key)
    }
}
