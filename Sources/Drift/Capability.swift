/// Linux capability names, compared in Docker 20.10's canonical `CAP_`-prefixed upper-case form.
enum Capability {
    static func normalise(_ name: String) -> String {
        let upper = name.uppercased()
        return upper == "ALL" || upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
    }
}
