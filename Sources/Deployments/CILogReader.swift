import AuditSupport

/// What a CI log says, line by line, once each format's decoration is read: commands, their output,
/// and where a command's output stops.
enum CILogEvent: Equatable {
    /// The commands of one step: a single echoed `$ cmd`/`+ cmd`, or a GitHub step's whole script.
    /// The output that follows belongs to all of them. `afterScript` marks GitLab's `after_script`,
    /// which runs after a failed script and so must not take the blame for the job's failure.
    case commands([String], environment: [String: String], time: Timestamp?, afterScript: Bool)
    case output(String, time: Timestamp?)
    /// Output after this belongs to no command seen so far (Jenkins `[Pipeline]` steps, GitHub's post-job
    /// lines); its time, when the line has one, ends the running step.
    case boundary(Timestamp?)
    /// A GitLab `section_start`/`section_end` marker and its Unix time; an end closes the running command.
    case sectionMarker(Timestamp, closes: Bool)
}

/// Reads a CI log of one format into `CILogEvent`s.
struct CILogReader {
    let format: CILogImporter.Format
    private var events: [CILogEvent] = []
    private var runGroup: RunGroup?
    private var sections: [String] = []

    /// A GitHub Actions `##[group]Run …` block: the step's script, shell and env as the runner prints them.
    private struct RunGroup {
        enum Part { case script, env, other }
        var header: String
        var time: Timestamp?
        var script: [String] = []
        var environment: [String: String] = [:]
        var part = Part.script
    }

    static func events(format: CILogImporter.Format, text: String) -> [CILogEvent] {
        var reader = CILogReader(format: format)
        for line in TerminalText.lines(text) {
            var time: Timestamp?
            for (k, segment) in line.enumerated() {
                var plain = TerminalText.plain(segment)[...]
                // Timestamps prefix a whole line; GitLab's runner also stamps text after a carriage return.
                if k == 0 || format == .gitlab, let (stamp, rest) = reader.timePrefix(plain) {
                    time = stamp
                    plain = rest
                }
                guard plain.contains(where: { $0 != " " && $0 != "\t" }) else { continue }
                reader.read(String(plain), time: time)
            }
        }
        reader.finishRunGroup()
        return reader.events
    }

    private mutating func read(_ text: String, time: Timestamp?) {
        switch format {
        case .githubActions: readGitHub(text, time: time)
        case .gitlab: readGitLab(text, time: time)
        case .jenkins:
            if text.hasPrefix("[Pipeline]") {
                events.append(.boundary(time))
            } else if text.hasPrefix("+ ") {
                events.append(.commands([String(text.dropFirst(2))], environment: [:], time: time, afterScript: false))
            } else {
                events.append(.output(text, time: time))
            }
        case .plain:
            if text.hasPrefix("$ ") || text.hasPrefix("+ ") {
                events.append(.commands([String(text.dropFirst(2))], environment: [:], time: time, afterScript: false))
            } else {
                events.append(.output(text, time: time))
            }
        }
    }

    /// Inside `##[group]Run …` the runner prints the step script as written, then `shell:` and `env:`;
    /// the script's output follows `##[endgroup]`.
    private mutating func readGitHub(_ text: String, time: Timestamp?) {
        if text.hasPrefix("##[group]Run ") {
            finishRunGroup()
            runGroup = RunGroup(header: String(text.dropFirst("##[group]Run ".count)), time: time)
            return
        }
        if var group = runGroup {
            if text == "##[endgroup]" {
                finishRunGroup()
                return
            }
            switch group.part {
            case .script:
                if text.hasPrefix("shell: ") || text == "with:" {
                    group.part = .other
                } else if text == "env:" {
                    group.part = .env
                } else {
                    group.script.append(text)
                }
            case .env, .other:
                if text == "env:" {
                    group.part = .env
                } else if group.part == .env, text.hasPrefix("  "), let colon = text.firstIndex(of: ":") {
                    let key = text[..<colon].trimmingSpaces()
                    group.environment[String(key)] = String(text[text.index(after: colon)...].trimmingSpaces())
                } else {
                    group.part = .other
                }
            }
            runGroup = group
            return
        }
        // Runner lines after the last step: what follows is not any script's output.
        if text == "Post job cleanup." || text.hasPrefix("Cleaning up orphan processes") {
            events.append(.boundary(time))
        } else {
            events.append(.output(text, time: time))
        }
    }

    private mutating func finishRunGroup() {
        guard let group = runGroup else { return }
        runGroup = nil
        let script = group.script.isEmpty ? [group.header] : Self.joiningContinuations(group.script)
        events.append(.commands(script, environment: group.environment, time: group.time, afterScript: false))
    }

    private mutating func readGitLab(_ text: String, time: Timestamp?) {
        if let marker = Self.sectionMarker(text) {
            if marker.closes {
                if let at = sections.lastIndex(of: marker.name) { sections.remove(at: at) }
            } else {
                sections.append(marker.name)
            }
            events.append(.sectionMarker(marker.time, closes: marker.closes))
        } else if text.hasPrefix("$ ") {
            events.append(.commands([String(text.dropFirst(2))], environment: [:], time: time, afterScript: sections.contains("after_script")))
        } else {
            events.append(.output(text, time: time))
        }
    }

    /// `section_start:1714557600:step_script` or `section_end:…`, the name without `[collapsed=true]`.
    private static func sectionMarker(_ text: String) -> (time: Timestamp, closes: Bool, name: String)? {
        let parts = text.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, parts[0] == "section_start" || parts[0] == "section_end",
              let seconds = Int64(parts[1]), let time = Timestamp(checkedSeconds: seconds) else { return nil }
        let name = parts[2].prefix { $0 != "[" && $0 != " " }
        return (time, parts[0] == "section_end", String(name))
    }

    /// The format's per-line time prefix and the text after it.
    private func timePrefix(_ text: Substring) -> (Timestamp, Substring)? {
        switch format {
        case .githubActions:
            return Self.bareTime(text)
        case .gitlab:
            // FF_TIMESTAMPS: `2024-05-01T10:00:00.123456Z 00O ` (stream id, O or E, `+` on a continued line).
            guard let (time, rest) = Self.bareTime(text) else { return nil }
            let stream = rest.prefix { $0 != " " }
            guard Self.isStreamTag(stream) else { return (time, rest) }
            let afterStream = rest.dropFirst(stream.count)
            return (time, afterStream.first == " " ? afterStream.dropFirst() : afterStream)
        case .jenkins:
            return Self.bracketedTime(text)
        case .plain:
            return Self.bracketedTime(text) ?? Self.bareTime(text)
        }
    }

    /// `00O`, `01E`, `00O+`: GitLab's stream id (two hex digits), stdout or stderr, `+` on a continued line.
    private static func isStreamTag(_ tag: Substring) -> Bool {
        let chars = Array(tag)
        guard chars.count == 3 || (chars.count == 4 && chars[3] == "+") else { return false }
        let hex: Bool = chars[0].isHexDigit && chars[1].isHexDigit
        let kind: Bool = chars[2] == "O" || chars[2] == "E"
        return hex && kind
    }

    /// `2024-05-01T10:00:00.1234567Z rest`.
    private static func bareTime(_ text: Substring) -> (Timestamp, Substring)? {
        guard text.first?.isNumber == true, let space = text.firstIndex(of: " "),
              let time = RFC3339.parse(String(text[..<space])) else { return nil }
        return (time, text[text.index(after: space)...])
    }

    /// `[2018-09-28T22:49:04.427Z] rest`, as Jenkins' Timestamper writes it.
    private static func bracketedTime(_ text: Substring) -> (Timestamp, Substring)? {
        guard text.first == "[", let close = text.firstIndex(of: "]"),
              let time = RFC3339.parse(String(text[text.index(after: text.startIndex)..<close])) else { return nil }
        let rest = text[text.index(after: close)...]
        return (time, rest.first == " " ? rest.dropFirst() : rest)
    }

    /// Script lines with `\`-continued lines joined into one command.
    private static func joiningContinuations(_ lines: [String]) -> [String] {
        var out: [String] = []
        var pending = ""
        for line in lines {
            let piece = pending.isEmpty ? line[...] : Substring(line.trimmingSpaces())
            if piece.hasSuffix("\\") {
                pending += piece.dropLast().trimmingSpaces() + " "
            } else {
                out.append(pending + piece)
                pending = ""
            }
        }
        if !pending.isEmpty { out.append(pending) }
        return out
    }
}
