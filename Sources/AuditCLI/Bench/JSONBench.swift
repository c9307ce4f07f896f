import ArgumentParser

/// `audit bench json`: Deployments' JSON parser against `JSONDecoder`, speed and deep nesting.
struct JSONBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Time parse + map of webhook bodies with Deployments' parser and with JSONDecoder; feed both 100,000-deep nesting.",
        discussion: """
            Prints µs per body for a GitHub deployment_status delivery and a /v1/deployments record, each way, \
            then what each parser answers to 100,000-deep arrays, objects and 1 MiB of `[` on a thread with \
            --stack-kib of stack. JSONDecoder recurses and overflows stacks under about 256 KiB (the bench \
            then crashes); Deployments' parser keeps its open containers on the heap.

            A debug build times unoptimized Deployments against the toolchain's optimized JSONDecoder. For \
            optimized figures without a release build of the package, compile \
            Sources/AuditCLI/Bench/JSONParserBench.swift on its own with swiftc -O: its header comment has the commands.
            """
    )

    @Option(help: "How many bodies each way (a tenth more first, to warm up).")
    var iterations: Int = 10_000

    @Option(help: "The stack, in KiB, of the thread that parses the deeply nested bodies.")
    var stackKib: Int = 512

    func run() throws {
        try JSONParserBench.run(iterations: iterations, stackKiB: stackKib) { Terminal.out($0) }
    }
}
