import ArgumentParser

/// `audit bench json`: Deployments' JSON parser against `JSONDecoder`, speed and deep nesting.
struct JSONBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Time parse + map of webhook bodies with Deployments' parser and with JSONDecoder; feed both 100,000-deep nesting.",
        discussion: """
            Prints µs per body for a GitHub deployment_status delivery (--github-body: by default the tests' \
            fixture, so run it from the package root) and a /v1/deployments record, each way, then what each \
            parser answers to 100,000-deep arrays, objects and 1 MiB of `[` on a thread with --stack-kib of stack. \
            JSONDecoder recurses and overflows stacks under about 256 KiB (the bench then crashes); Deployments' parser keeps its open containers on the heap.

            A debug build times unoptimized Deployments against the toolchain's optimized JSONDecoder. For \
            optimized figures without a release build of the package, compile \
            Sources/AuditCLI/Bench/JSONParserBench.swift on its own with swiftc -O: its header comment has the commands.
            """
    )

    @Option(help: "How many bodies each way (a tenth more first, to warm up); at least 1.")
    var iterations: Int = 10_000

    @Option(help: "The stack, in KiB, of the thread that parses the deeply nested bodies; 16 to 1048576.")
    var stackKib: Int = 512

    @Option(help: ArgumentHelp("The GitHub deployment_status delivery to time, relative to the working directory.", valueName: "file"))
    var githubBody: String = JSONParserBench.defaultGitHubBody

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1: the figures are per body") }
        // See JSONParserBench.minimumStackKiB; the cap keeps KiB × 1024 from overflowing.
        guard (JSONParserBench.minimumStackKiB...JSONParserBench.maximumStackKiB).contains(stackKib) else {
            throw ValidationError(
                "--stack-kib must be \(JSONParserBench.minimumStackKiB) to \(JSONParserBench.maximumStackKiB): "
                    + "Linux (glibc) starts no thread with less than 16 KiB of stack"
            )
        }
        // Read here, not only in run(), so a missing file is a usage error shown with this command's usage.
        do {
            _ = try JSONParserBench.contents(of: githubBody)
        } catch {
            throw ValidationError("--github-body: cannot read \(error); the default is relative to the package root, so run from there or pass the fixture's path")
        }
    }

    func run() async throws {
        let github = try JSONParserBench.contents(of: githubBody)
        try await JSONParserBench.run(iterations: iterations, stackKiB: stackKib, github: github) { Terminal.out($0) }
    }
}
