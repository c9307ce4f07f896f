/// A command line that deploys: `docker compose up/down/restart/pull/…`, `docker-compose …`,
/// `docker stack deploy`, `docker service update`, `docker run`, `docker rm`, with what its arguments
/// say about the deployment.
public struct DeploymentCommand: Sendable, Equatable {
    /// Which docker command it is.
    public enum Kind: Sendable, Equatable {
        /// `docker compose SUB` or `docker-compose SUB`, with the subcommand.
        case compose(String)
        case stackDeploy
        case serviceUpdate
        case run
        case rm
    }

    public var kind: Kind
    /// The command line as written, trimmed.
    public var text: String
    /// The compose project (`-p`, `--project-name`, `COMPOSE_PROJECT_NAME=`) or stack name.
    public var project: String?
    /// The services named; nil when the command applies to the whole project.
    public var services: [String]?
    /// Images set by the command: `service update --image`, or a named `docker run`'s image.
    public var images: [String: String]?
    /// Containers named by the command itself: `docker run --name`, `docker rm` arguments.
    public var containers: [String]

    /// An argument vector (`audit deploy -- CMD…`) as the command line a log would show.
    public static func commandLine(_ arguments: [String]) -> String { ShellWords.line(arguments) }

    /// `docker` options before the subcommand that take a value.
    static let dockerGlobalOptions: Set<String> = ["-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey"]
    /// `docker compose` / `docker-compose` options before the subcommand that take a value.
    static let composeGlobalOptions: Set<String> = [
        "-f", "--file", "-p", "--project-name", "--project-directory", "--env-file", "--profile", "--ansi",
        "--progress", "--parallel", "-c", "--context", "-H", "--host", "--log-level",
    ]

    /// The compose subcommands that change what runs.
    static let composeSubcommands: Set<String> = ["up", "down", "restart", "pull", "start", "stop", "rm", "create", "kill", "run"]

    /// Recognizes the first deploying docker command in `line` (which may chain several with `&&` or
    /// `;`), expanding `$VAR`s found in `environment`; nil when there is none.
    public static func recognize(_ line: String, environment: [String: String] = [:]) -> DeploymentCommand? {
        let text = String(line.trimmingSpaces())
        for words in ShellWords.commands(text, environment: environment) {
            if var command = recognize(arguments: words) {
                command.text = text
                return command
            }
        }
        return nil
    }

    /// Recognizes an argument vector, as a wrapper that runs the command receives it.
    public static func recognize(arguments: [String]) -> DeploymentCommand? {
        var args = arguments[...]
        var assignedProject: String?
        // Leading `VAR=value` assignments and privilege or timing wrappers do not change the command.
        while let first = args.first {
            if let eq = first.firstIndex(of: "="), first[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                if first[..<eq] == "COMPOSE_PROJECT_NAME" { assignedProject = String(first[first.index(after: eq)...]) }
                args.removeFirst()
            } else if ["sudo", "exec", "command", "time"].contains(first) {
                args.removeFirst()
                while args.first?.hasPrefix("-") == true { args.removeFirst() }
            } else {
                break
            }
        }
        guard let program = args.popFirst().map({ $0.split(separator: "/").last.map(String.init) ?? $0 }) else { return nil }
        let text = arguments.joined(separator: " ")
        if program == "docker-compose" {
            return compose(args, assignedProject: assignedProject, text: text)
        }
        guard program == "docker" else { return nil }
        var options = OptionReader(args, valueOptions: dockerGlobalOptions)
        options.skipOptions()
        var rest = options.remaining
        switch rest.popFirst() {
        case "compose":
            return compose(rest, assignedProject: assignedProject, text: text)
        case "stack" where ["deploy", "up"].contains(rest.first):
            return stackDeploy(rest.dropFirst(), text: text)
        case "service" where rest.first == "update":
            return serviceUpdate(rest.dropFirst(), text: text)
        case "container" where rest.first == "run":
            return run(rest.dropFirst(), text: text)
        case "container" where rest.first == "rm":
            return rm(rest.dropFirst(), text: text)
        case "run":
            return run(rest, text: text)
        case "rm":
            return rm(rest, text: text)
        default:
            return nil
        }
    }

    private static func compose(_ args: ArraySlice<String>, assignedProject: String?, text: String) -> DeploymentCommand? {
        var global = OptionReader(args, valueOptions: composeGlobalOptions)
        global.skipOptions()
        let project = global.value(of: ["-p", "--project-name"]) ?? assignedProject
        var rest = global.remaining
        guard let sub = rest.popFirst(), composeSubcommands.contains(sub) else { return nil }
        var options = OptionReader(rest, valueOptions: [
            "-t", "--timeout", "--scale", "--pull", "--exit-code-from", "--attach", "--no-attach", "--wait-timeout",
            "--rmi", "-s", "--signal", "-e", "--env", "--name", "-u", "--user", "-w", "--workdir", "-v", "--volume",
            "-p", "--publish", "-l", "--label", "--entrypoint", "--cap-add", "--cap-drop", "--policy",
        ])
        // `run SERVICE CMD…` names one service; the rest is the command it runs.
        let positionals = sub == "run" ? options.firstPositional().map { [$0] } ?? [] : options.positionals()
        return DeploymentCommand(
            kind: .compose(sub), text: text, project: known(project), services: knownAll(positionals), images: nil, containers: []
        )
    }

    private static func stackDeploy(_ args: ArraySlice<String>, text: String) -> DeploymentCommand {
        var options = OptionReader(args, valueOptions: ["-c", "--compose-file", "--resolve-image", "--orchestrator"])
        return DeploymentCommand(kind: .stackDeploy, text: text, project: known(options.positionals().last), services: nil, images: nil, containers: [])
    }

    private static func serviceUpdate(_ args: ArraySlice<String>, text: String) -> DeploymentCommand {
        // Nearly every `service update` option takes a value; these few are switches.
        var options = OptionReader(args, flags: [
            "-d", "--detach", "--force", "-q", "--quiet", "--rollback", "--with-registry-auth", "--no-resolve-image",
            "--init", "--read-only", "-t", "--tty", "--no-healthcheck",
        ])
        let service = known(options.positionals().last)
        let image = known(options.value(of: ["--image"]))
        return DeploymentCommand(
            kind: .serviceUpdate, text: text, project: nil, services: service.map { [$0] },
            images: service.flatMap { s in image.map { [s: $0] } }, containers: []
        )
    }

    private static func run(_ args: ArraySlice<String>, text: String) -> DeploymentCommand {
        var options = OptionReader(args, flags: [
            "-d", "--detach", "--rm", "-i", "--interactive", "-t", "--tty", "--init", "--privileged", "--read-only",
            "-P", "--publish-all", "--no-healthcheck", "--oom-kill-disable", "-q", "--quiet",
        ], clusteredFlags: "ditPq")
        // Everything after the image is the container's own command line, options included.
        let image = known(options.firstPositional())
        let name = known(options.value(of: ["--name"]))
        return DeploymentCommand(
            kind: .run, text: text, project: nil, services: nil,
            images: name.flatMap { n in image.map { [n: $0] } }, containers: name.map { [$0] } ?? []
        )
    }

    private static func rm(_ args: ArraySlice<String>, text: String) -> DeploymentCommand {
        var options = OptionReader(args, flags: ["-f", "--force", "-v", "--volumes", "-l", "--link"], clusteredFlags: "fvl")
        return DeploymentCommand(kind: .rm, text: text, project: nil, services: nil, images: nil, containers: knownAll(options.positionals()) ?? [])
    }

    /// A value the log shows literally; an unexpanded `$VAR` or `$(…)` says nothing about the deployment.
    private static func known(_ value: String?) -> String? {
        guard let value, !value.isEmpty, !value.contains("$"), !value.contains("`") else { return nil }
        return value
    }

    private static func knownAll(_ values: [String]) -> [String]? {
        let kept = values.compactMap(known)
        return kept.isEmpty ? nil : kept
    }
}

/// Walks a docker-style argument list: `--opt value`, `--opt=value`, `-o value`, clustered `-dit`.
/// Options are described either by those that take a value or by those that do not.
struct OptionReader {
    private var args: ArraySlice<String>
    private let valueOptions: Set<String>?
    private let flags: Set<String>
    private let clusteredFlags: Set<Character>
    private var values: [String: String] = [:]

    init(_ args: ArraySlice<String>, valueOptions: Set<String>) {
        self.args = args
        self.valueOptions = valueOptions
        self.flags = []
        self.clusteredFlags = []
    }

    init(_ args: ArraySlice<String>, flags: Set<String>, clusteredFlags: String = "") {
        self.args = args
        self.valueOptions = nil
        self.flags = flags
        self.clusteredFlags = Set(clusteredFlags)
    }

    var remaining: ArraySlice<String> { args }

    /// The last value given for any of `names`.
    func value(of names: [String]) -> String? {
        names.compactMap { values[$0] }.last
    }

    /// Consumes leading options, stopping at the first positional argument.
    mutating func skipOptions() {
        while let arg = args.first, arg.hasPrefix("-"), arg != "-" {
            args.removeFirst()
            if arg == "--" { return }
            if let eq = arg.firstIndex(of: "=") {
                values[String(arg[..<eq])] = String(arg[arg.index(after: eq)...])
            } else if takesValue(arg), let value = args.popFirst() {
                values[arg] = value
            }
        }
    }

    /// The first positional argument, leaving what follows it unread.
    mutating func firstPositional() -> String? {
        skipOptions()
        return args.popFirst()
    }

    /// All positional arguments, consuming options wherever they appear.
    mutating func positionals() -> [String] {
        var out: [String] = []
        while !args.isEmpty {
            skipOptions()
            if let arg = args.popFirst() { out.append(arg) }
        }
        return out
    }

    private func takesValue(_ option: String) -> Bool {
        if let valueOptions { return valueOptions.contains(option) }
        if flags.contains(option) { return false }
        // `-dit`: a cluster of single-letter switches.
        if !option.hasPrefix("--"), option.count > 2, option.dropFirst().allSatisfy(clusteredFlags.contains) { return false }
        return true
    }
}
