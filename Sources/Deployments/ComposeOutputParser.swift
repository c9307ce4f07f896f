/// Reads which containers a compose run touched from its progress output, for both compose v1
/// (`Recreating shop_api_1 ... done`) and v2 (` ✔ Container shop-api-1  Started  0.3s`).
public enum ComposeOutputParser {
    /// What compose reported doing to a container.
    public enum Action: String, Sendable, CaseIterable {
        case created, recreated, removed
        case started, stopped, restarted, killed
        case running, healthy, waiting
        /// v1's `shop_api_1 is up-to-date`: compose looked and left it alone.
        case upToDate = "up-to-date"

        /// Actions that replace the container outrank lifecycle changes, which outrank observations, so
        /// `Recreated` then `Started` still reads as a recreation.
        var weight: Int {
            switch self {
            case .created, .recreated, .removed: return 3
            case .started, .stopped, .restarted, .killed: return 2
            case .running, .healthy, .waiting, .upToDate: return 1
            }
        }

        /// Whether compose changed the container, rather than finding it as it should be.
        public var changesContainer: Bool { weight >= 2 }
    }

    /// One container compose reported on.
    public struct Touch: Sendable, Equatable {
        public var container: String
        public var action: Action

        public init(container: String, action: Action) {
            self.container = container
            self.action = action
        }
    }

    /// Each container once, in the order first mentioned, with its weightiest action (the later one on
    /// a tie). `output` may contain ANSI escapes and `\r`-overwritten progress lines.
    public static func parse(_ output: String) -> [Touch] {
        var touches: [Touch] = []
        var positions: [String: Int] = [:]
        for line in TerminalText.lines(output) {
            for segment in line {
                guard let touch = parse(line: TerminalText.plain(segment)) else { continue }
                if let at = positions[touch.container] {
                    if touch.action.weight >= touches[at].action.weight { touches[at].action = touch.action }
                } else {
                    positions[touch.container] = touches.count
                    touches.append(touch)
                }
            }
        }
        return touches
    }

    /// The containers `output` says compose changed; nil when it names no container at all, empty when
    /// it names only containers it left alone (`is up-to-date`, v2's `Running`).
    public static func changedContainers(_ output: String) -> [String]? {
        let touches = parse(output)
        return touches.isEmpty ? nil : touches.filter(\.action.changesContainer).map(\.container)
    }

    /// One line of output with escapes already removed.
    static func parse(line: String) -> Touch? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count >= 2 else { return nil }
        if let at = words.firstIndex(of: "Container") {
            // v2: anything before `Container` must be a status glyph (✔, ✘, ⠿), not a word of prose.
            guard at <= 1, words[..<at].allSatisfy({ !$0.contains(where: \.isLetter) }),
                  words.count > at + 2, isContainerName(words[at + 1]), let action = v2Actions[String(words[at + 2])] else { return nil }
            return Touch(container: String(words[at + 1]), action: action)
        }
        // v1: `Verbing name ... done`; the `...` keeps `Creating network "x" with the default driver` out.
        if words.count >= 3, words[2] == "...", let action = v1Actions[String(words[0])], isContainerName(words[1]) {
            return Touch(container: String(words[1]), action: action)
        }
        if words.count == 3, words[1] == "is", words[2] == "up-to-date", isContainerName(words[0]) {
            return Touch(container: String(words[0]), action: .upToDate)
        }
        return nil
    }

    private static let v1Actions: [String: Action] = [
        "Creating": .created, "Recreating": .recreated, "Starting": .started, "Stopping": .stopped,
        "Removing": .removed, "Restarting": .restarted, "Killing": .killed,
    ]

    /// v2 prints a progress verb, then the past tense when done; both count.
    private static let v2Actions: [String: Action] = [
        "Creating": .created, "Created": .created, "Recreate": .recreated, "Recreated": .recreated,
        "Starting": .started, "Started": .started, "Stopping": .stopped, "Stopped": .stopped,
        "Removing": .removed, "Removed": .removed, "Restarting": .restarted, "Restarted": .restarted,
        "Killing": .killed, "Killed": .killed, "Running": .running, "Healthy": .healthy, "Waiting": .waiting,
    ]

    /// Docker's container name grammar: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
    static func isContainerName<S: StringProtocol>(_ s: S) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCIIAlphanumeric else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "_" || $0 == "." || $0 == "-" }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
