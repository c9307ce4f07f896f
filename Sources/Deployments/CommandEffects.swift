/// What a deployment's command line can do to a Docker host, read from its words. Compose, stack and
/// service commands create, start, stop and remove containers and pull images; they never exec into
/// or update one. A script whose body is unknown may do anything.
public struct CommandEffects: Sendable, Equatable {
    public enum Effect: String, Sendable, CaseIterable {
        /// create, recreate, start, stop, kill, restart, remove, rename.
        case containers
        /// pull, tag, untag, remove images.
        case images
        case exec
        case update
        case copy
        case commit
    }

    /// What the line's known commands can do.
    public var effects: Set<Effect> = []
    /// The commands whose body is unknown (`./deploy.sh`, `make deploy`): with any, the line may do anything.
    public var opaque: [String] = []

    public var isOpaque: Bool { !opaque.isEmpty }

    /// The effects of every simple command in `line` (split at `&&`, `;`, `|`), `sh -c` bodies read too.
    public static func of(_ line: String, environment: [String: String] = [:]) -> CommandEffects {
        var out = CommandEffects()
        for words in ShellWords.commands(line, environment: environment) { out.add(of(arguments: words)) }
        return out
    }

    /// The effects of one argument vector, as `audit deploy -- CMD` receives it.
    public static func of(arguments: [String]) -> CommandEffects {
        var args = arguments[...]
        // Assignments and wrappers that run the rest as the command.
        while let first = args.first {
            if let eq = first.firstIndex(of: "="), eq != first.startIndex, first[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                args.removeFirst()
            } else if ["sudo", "exec", "command", "time", "nohup", "env"].contains(first) {
                args.removeFirst()
                while args.first?.hasPrefix("-") == true { args.removeFirst() }
            } else if first == "timeout" {
                args.removeFirst()
                while args.first?.hasPrefix("-") == true { args.removeFirst() }
                args = args.dropFirst()
            } else {
                break
            }
        }
        guard let written = args.popFirst() else { return CommandEffects() }
        let program = written.split(separator: "/").last.map(String.init) ?? written
        let text = arguments.joined(separator: " ")
        switch program {
        case "sh", "bash", "dash", "ash", "zsh":
            // `sh -c BODY` runs BODY, which is in the log; `sh script.sh` runs a file that is not.
            while let option = args.first, option.hasPrefix("-") {
                args.removeFirst()
                if option.contains("c"), let body = args.first { return of(body) }
            }
            return CommandEffects(opaque: [text])
        case "docker-compose":
            return compose(args, text: text)
        case "docker":
            return docker(args, text: text)
        case _ where harmless.contains(program):
            return CommandEffects()
        default:
            return CommandEffects(opaque: [text])
        }
    }

    private mutating func add(_ other: CommandEffects) {
        effects.formUnion(other.effects)
        opaque += other.opaque
    }

    private static let deploys: Set<Effect> = [.containers, .images]

    /// Programs a deploy script runs that never touch the engine.
    static let harmless: Set<String> = [
        "echo", "printf", "sleep", "cd", "pwd", "true", "false", "set", "export", "unset", "test", "[", ":", "cat", "ls",
        "grep", "head", "tail", "wc", "date", "mkdir", "touch", "chmod", "tee", "jq", "git", "curl", "wget", "sed", "awk",
    ]

    private static func docker(_ args: ArraySlice<String>, text: String) -> CommandEffects {
        var options = OptionReader(args, valueOptions: DeploymentCommand.dockerGlobalOptions)
        options.skipOptions()
        var rest = options.remaining
        guard var sub = rest.popFirst() else { return CommandEffects() }
        // `docker container exec` is `docker exec`, `docker image pull` is `docker pull`.
        if ["container", "image"].contains(sub), let inner = rest.popFirst() {
            sub = sub == "image" && ["rm", "prune", "ls", "inspect"].contains(inner) ? "image " + inner : inner
        }
        switch sub {
        case "compose": return compose(rest, text: text)
        case "exec": return CommandEffects(effects: [.exec])
        case "update": return CommandEffects(effects: [.update])
        case "cp": return CommandEffects(effects: [.copy])
        case "commit": return CommandEffects(effects: [.commit])
        case "run", "create", "start", "stop", "restart", "kill", "rm", "rename", "pause", "unpause", "attach", "prune":
            return CommandEffects(effects: deploys)
        case "stack", "service", "system":
            // `stack deploy`, `service update`, `system prune` change what runs; `stack ps` and the like only read.
            let reads: Set<String> = ["ls", "ps", "inspect", "logs", "df", "info", "events"]
            return CommandEffects(effects: rest.first.map { reads.contains($0) } ?? true ? [] : deploys)
        case "pull", "tag", "rmi", "load", "import", "build", "buildx", "image rm", "image prune":
            return CommandEffects(effects: [.images])
        case "ps", "ls", "logs", "inspect", "images", "info", "version", "login", "logout", "events", "port", "stats", "top",
             "diff", "history", "search", "context", "network", "volume", "secret", "config", "node", "manifest", "trust",
             "save", "push", "export", "wait", "image ls", "image inspect":
            return CommandEffects()
        default:
            return CommandEffects(opaque: [text])
        }
    }

    private static func compose(_ args: ArraySlice<String>, text: String) -> CommandEffects {
        var global = OptionReader(args, valueOptions: DeploymentCommand.composeGlobalOptions)
        global.skipOptions()
        guard let sub = global.remaining.first else { return CommandEffects() }
        switch sub {
        case "exec": return CommandEffects(effects: [.exec])
        case "cp": return CommandEffects(effects: [.copy])
        case "pull", "build": return CommandEffects(effects: [.images])
        case _ where DeploymentCommand.composeSubcommands.contains(sub), "pause", "unpause", "scale", "watch":
            return CommandEffects(effects: deploys)
        case _ where readOnlyComposeSubcommands.contains(sub):
            return CommandEffects()
        default:
            return CommandEffects(opaque: [text])
        }
    }

    /// Compose subcommands that only read: not deployment commands.
    public static let readOnlyComposeSubcommands: Set<String> = [
        "ps", "logs", "config", "images", "ls", "top", "version", "events", "port", "convert", "wait", "stats", "push",
    ]
}
