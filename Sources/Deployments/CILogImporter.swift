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

    /// One `log-import` record per deploying command in `text`, in log order. Ids hash the format, the
    /// command, its first time and the commit, so importing the same log again yields the same ids.
    public static func `import`(format: Format, text: String, defaults: Defaults = Defaults()) throws(DeploymentInputError) -> [DeploymentRecord] {
        let blocks = CommandBlocks(CILogReader.events(format: format, text: text)).blocks
        guard !blocks.isEmpty else { throw .noDeploymentCommand }
        var seen: [String: Int] = [:]
        var records: [DeploymentRecord] = []
        for block in blocks {
            let (start, end, fromMarkers): (Timestamp, Timestamp, Bool)
            if let first = block.firstTime, let last = block.lastTime {
                (start, end, fromMarkers) = (first, last, false)
            } else if let before = block.markerBefore {
                (start, end, fromMarkers) = (before, max(before, block.markerAfter ?? before), true)
            } else {
                throw .noTimestamps(missingTimesHint(format))
            }
            let command = block.command
            var notes: [String] = []
            if fromMarkers { notes.append(sectionMarkerNote) }
            if block.stepSize > 1 {
                notes.append("one of \(block.stepSize) deployment commands in its step: window, containers and status are the step's")
            }
            var touched = command.containers
            for touch in ComposeOutputParser.parse(block.output) where !touched.contains(touch.container) {
                touched.append(touch.container)
            }
            var material = [format.rawValue, command.text, RFC3339.format(start), defaults.commit ?? ""].joined(separator: "\n")
            // The same command at the same instant twice (one step running it twice) still gets two ids.
            let repeats = seen[material, default: 0]
            seen[material] = repeats + 1
            if repeats > 0 { material += "\n#\(repeats)" }

            records.append(DeploymentRecord(
                id: Hex.encode(SHA256.hash(data: Array(material.utf8)).prefix(8)), source: .logImport,
                environment: defaults.environment, host: defaults.host, project: command.project ?? defaults.project,
                services: command.services, images: command.images, commit: defaults.commit,
                status: block.failed ? .failure : .success, startedAt: start, finishedAt: end,
                touched: touched.isEmpty ? nil : touched, note: notes.isEmpty ? nil : notes.joined(separator: "; ")
            ))
        }
        return records
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
