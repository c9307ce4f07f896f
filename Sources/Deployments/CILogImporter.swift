import AuditSupport
import Crypto

/// Recovers deployments from a CI job's log after the fact: each deploying docker command, the window
/// its lines span, the containers its output says it touched, and whether it failed.
public enum CILogImporter {
    /// The log formats understood.
    public enum Format: String, Sendable, CaseIterable {
        /// GitHub Actions raw logs: every line stamped, step scripts inside `##[group]Run …`.
        case githubActions = "github-actions"
        /// GitLab job traces: `$ cmd` echoes, section markers, optional FF_TIMESTAMPS line stamps.
        case gitlab
        /// Jenkins console with Timestamper's `[time] ` prefixes and `+ cmd` echoes.
        case jenkins
        /// Any shell transcript with `$ cmd` or `+ cmd` lines and RFC 3339 times at line starts.
        case plain
    }

    /// What the log cannot say itself, applied to every record it yields.
    public struct Defaults: Sendable, Equatable {
        /// Used when a command names no compose project or stack.
        public var project: String?
        public var environment: String?
        public var host: String?
        public var commit: String?

        public init(project: String? = nil, environment: String? = nil, host: String? = nil, commit: String? = nil) {
            self.project = project
            self.environment = environment
            self.host = host
            self.commit = commit
        }
    }

    static let sectionMarkerNote = "times from section markers, no per-line timestamps"

    /// One `log-import` record for the job in `text`: its window runs from the first deploying command
    /// to the end of the last, each command kept as a step with its own window (until the next step or
    /// section began) and the containers its output says it changed. Read-only commands (`docker compose
    /// ps`, `logs`, `config`) are not steps. The id hashes the format, the first command, its time and
    /// the commit, so importing the same log again yields the same record.
    public static func `import`(format: Format, text: String, defaults: Defaults = Defaults()) throws(DeploymentInputError) -> DeploymentRecord {
        let blocks = CommandBlocks(CILogReader.events(format: format, text: text)).blocks
        guard let first = blocks.first else { throw .noDeploymentCommand }
        var steps: [DeploymentRecord.Step] = []
        var fromMarkers = false
        for block in blocks {
            let start: Timestamp, end: Timestamp
            if let firstTime = block.firstTime, let last = block.lastTime {
                (start, end) = (firstTime, max(last, block.nextStart ?? last))
            } else if let before = block.markerBefore {
                (start, end) = (before, max(before, block.markerAfter ?? before))
                fromMarkers = true
            } else {
                throw .noTimestamps(missingTimesHint(format))
            }
            let changed = ComposeOutputParser.changedContainers(block.output)
            var touched = block.command.containers
            for name in changed ?? [] where !touched.contains(name) { touched.append(name) }
            steps.append(DeploymentRecord.Step(command: block.command.text, startedAt: start, finishedAt: end,
                                               touched: touched.isEmpty && changed == nil ? nil : touched))
        }
        let commands = blocks.map(\.command)
        let material = [format.rawValue, first.command.text, RFC3339.format(steps[0].startedAt), defaults.commit ?? ""].joined(separator: "\n")
        return DeploymentRecord(
            id: "\(DeploymentRecord.Source.logImport.rawValue)-\(DeploymentRecord.compactTime(steps[0].startedAt))-" + Hex.encode(SHA256.hash(data: Array(material.utf8)).prefix(4)), source: .logImport,
            environment: defaults.environment, host: defaults.host,
            project: commands.lazy.compactMap(\.project).first ?? defaults.project,
            services: commands.allSatisfy { $0.services != nil } ? ordered(commands.flatMap { $0.services ?? [] }) : nil,
            images: commands.reduce(into: [String: String]?.none) { all, c in if let i = c.images { all = (all ?? [:]).merging(i) { _, b in b } } },
            commit: defaults.commit,
            status: blocks.contains(where: \.failed) ? .failure : .success,
            startedAt: steps.map(\.startedAt).min()!, finishedAt: steps.compactMap(\.finishedAt).max(),
            touched: steps.contains { $0.touched != nil } ? ordered(steps.flatMap { $0.touched ?? [] }) : nil,
            note: fromMarkers ? sectionMarkerNote : nil, steps: steps
        )
    }

    /// Each item once, in first-seen order.
    private static func ordered(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    private static func missingTimesHint(_ format: Format) -> String {
        switch format {
        case .githubActions:
            return "github actions lines start with an RFC 3339 time; download the raw log rather than the rendered one"
        case .gitlab:
            return "the gitlab trace has neither FF_TIMESTAMPS line times nor section_start/section_end markers around the command"
        case .jenkins:
            return "the jenkins log needs the Timestamper plugin's [2018-09-28T22:49:04.427Z] line prefixes"
        case .plain:
            return "the plain format needs an RFC 3339 time at the start of lines (2024-05-01T10:00:00Z $ docker compose up -d)"
        }
    }
}
