/// Request headers looked up without regard to case, as HTTP defines them: GitHub sends
/// `X-Hub-Signature-256`, proxies may pass it on as `x-hub-signature-256`.
public struct HTTPHeaderMap: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private var values: [String: String] = [:]

    public init() {}

    /// When a name repeats (in any case), the last value wins.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, String) {
        for (name, value) in pairs { self[name] = value }
    }

    public init(_ dictionary: [String: String]) {
        self.init(dictionary.map { ($0.key, $0.value) })
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public subscript(name: String) -> String? {
        get { values[name.lowercased()] }
        set { values[name.lowercased()] = newValue }
    }
}
