import AuditSupport

/// A deploying command with the log lines that are its output.
struct CommandBlock {
    var command: DeploymentCommand
    /// How many deploying commands share this block's step, and so its output.
    var stepSize: Int
    var firstTime: Timestamp?
    var lastTime: Timestamp?
    /// The nearest section markers around the block, for logs without per-line times.
    var markerBefore: Timestamp?
    var markerAfter: Timestamp?
    /// When the next step, boundary or section began: the step ran until then, even when its own last
    /// line came early (a `docker compose pull` prints little and then waits).
    var nextStart: Timestamp?
    var output = ""
    var failed = false

    mutating func include(_ time: Timestamp?) {
        guard let time else { return }
        firstTime = min(firstTime ?? time, time)
        lastTime = max(lastTime ?? time, time)
    }
}

/// Cuts a log's events into command blocks: a command's output runs until the next command, a
/// boundary or a closing section marker.
struct CommandBlocks {
    private(set) var blocks: [CommandBlock] = []
    /// Blocks receiving output now.
    private var open: [Int] = []
    /// The blocks of the last command that ran: a job-level failure reported after its output has
    /// ended (`ERROR: Job failed`, `script returned exit code 1`) is theirs, because a CI shell stops
    /// at the first failing command.
    private var blame: [Int] = []
    /// Blocks whose last line has no section marker after it yet.
    private var awaitingMarker: [Int] = []
    private var lastMarker: Timestamp?

    init(_ events: [CILogEvent]) {
        for event in events { apply(event) }
    }

    private mutating func apply(_ event: CILogEvent) {
        switch event {
        case let .commands(lines, environment, time, afterScript):
            endOpen(at: time)
            let commands = lines.compactMap { DeploymentCommand.recognize($0, environment: environment) }
            open = commands.map { command in
                var block = CommandBlock(command: command, stepSize: commands.count, markerBefore: lastMarker)
                block.include(time)
                blocks.append(block)
                return blocks.count - 1
            }
            awaitingMarker += open
            if !afterScript { blame = open }
        case let .output(text, time):
            for i in open {
                blocks[i].output += text + "\n"
                blocks[i].include(time)
            }
            awaitingMarker += open
            if Self.reportsFailure(text) {
                for i in open.isEmpty ? blame : open { blocks[i].failed = true }
            }
        case let .boundary(time):
            endOpen(at: time)
            open = []
        case let .sectionMarker(time, closes):
            endOpen(at: time)
            lastMarker = time
            for i in awaitingMarker { blocks[i].markerAfter = time }
            awaitingMarker = []
            if closes { open = [] }
        }
    }

    /// The running blocks' step ended at `time`, when something else began then.
    private mutating func endOpen(at time: Timestamp?) {
        guard let time else { return }
        for i in open where blocks[i].nextStart == nil { blocks[i].nextStart = time }
    }

    /// `##[error]`, `ERROR: Job failed`, `Error response from daemon`, or `exit code N` with N ≠ 0.
    static func reportsFailure(_ text: String) -> Bool {
        if text.contains("##[error]") || text.contains("ERROR: Job failed") || text.contains("Error response from daemon") {
            return true
        }
        var rest = text[...]
        while let range = rest.firstRange(of: "exit code ") {
            let digits = rest[range.upperBound...].prefix { $0.isNumber }
            if let code = Int(digits), code != 0 { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }
}
