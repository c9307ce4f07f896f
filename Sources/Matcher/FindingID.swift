/// Finding ids: FNV-1a 64-bit over the container (or image) id, the anchor event's time and action,
/// as 16 lowercase hex digits. Not a security hash, only a stable name: the same change gets the same
/// id on every run, so acknowledgements keep applying. The kind is left out on purpose, so a late
/// deployment record that turns `unmanaged-container` into `image-drift` keeps the id (and its ack).
enum FindingID {
    static func make(actorID: String, timeNano: Int64, action: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(actorID)|\(timeNano)|\(action)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
