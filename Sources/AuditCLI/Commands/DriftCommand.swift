import ArgumentParser
import AuditSupport
import Collector
import DockerAPI
import Drift
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare running containers with the compose manifest (image, resources, env, ports, mounts, orphans).",
        discussion: """
            Live: audit drift -f docker-compose.yml [-f docker-compose.production.yml] reads the files as compose \
            does (overrides, ${VAR} interpolation from the environment, --env-file and .env) and inspects the \
            project's containers through the Docker API.
            Offline: audit drift --expected expected.yml --actual actual.json [--images images.json] compares \
            `docker compose config` output with `docker inspect $(docker compose ps -q)` output, no socket needed; \
            with `docker image inspect` output as --images it also checks digests, image IDs and extra env/labels.
            Exit status: 0 when the check ran and nothing at or above --fail-on drifted, 3 when something did, \
            2 for usage errors and unreadable manifests.
            """
    )

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("A compose file; repeat to layer overrides.", valueName: "file"))
    var files: [String] = []

    @Option(name: [.customShort("p"), .customLong("project-name")], help: "The compose project name (default: name:, COMPOSE_PROJECT_NAME, or the directory).")
    var projectName: String?

    @Option(help: ArgumentHelp("An env file for interpolation, read after the project's .env.", valueName: "file"))
    var envFile: String?

    @Option(help: ArgumentHelp("Offline: the output of `docker compose config`.", valueName: "file"))
    var expected: String?

    @Option(help: ArgumentHelp("Offline: the output of `docker inspect $(docker compose ps -q)`.", valueName: "file"))
    var actual: String?

    @Option(help: ArgumentHelp("Offline, optional: the output of `docker image inspect` for the images involved (digests, image env and labels, what tags resolve to).", valueName: "file"))
    var images: String?

    @Option(help: ArgumentHelp("Ignore a field that legitimately differs: service.field or *.field (repeatable).", valueName: "rule"))
    var ignore: [String] = []

    @Option(help: "table, json or markdown.")
    var format: ReportFormat = .table

    @Option(help: ArgumentHelp("Exit 3 when drift at or above this severity exists: low, medium or high.", valueName: "level"))
    var failOn: Severity?

    @OptionGroup var docker: DockerOptions

    func validate() throws {
        if expected != nil || actual != nil {
            guard expected != nil, actual != nil else { throw ValidationError("offline mode needs both --expected and --actual") }
            guard files.isEmpty else { throw ValidationError("use either -f (live) or --expected/--actual (offline), not both") }
        } else if images != nil {
            throw ValidationError("--images goes with offline mode (--expected/--actual); live mode asks the engine")
        } else if files.isEmpty {
            throw ValidationError("name the manifest: -f docker-compose.yml (live) or --expected/--actual (offline)")
        }
    }

    func run() async throws {
        let rules: [IgnoreRule]
        do { rules = try ignore.map(IgnoreRule.parse) } catch { throw ValidationError("--ignore: \(error)") }
        let environment = ProcessInfo.processInfo.environment
        let project: ComposeProject
        let observed: DriftProbe.Observation
        do {
            if let expected, let actual {
                guard let data = FileManager.default.contents(atPath: actual) else {
                    throw DriftError("inspect file \(actual): cannot be read")
                }
                let containers = try ActualContainer.decodeInspectArray(data)
                // `docker-compose config` (v1) prints no project name: take it from the containers.
                let inferred = Set(containers.compactMap(\.project))
                let name = projectName ?? (inferred.count == 1 ? inferred.first : nil)
                project = try ComposeLoader.load(files: [expected], projectName: name, envFile: envFile, environment: environment)
                var facts = ImageFacts.none
                if let images {
                    guard let imageData = FileManager.default.contents(atPath: images) else { throw DriftError("image inspect file \(images): cannot be read") }
                    facts = try ImageFacts.decodeImageInspectArray(imageData)
                }
                observed = DriftProbe.Observation(containers: containers, images: facts)
            } else {
                project = try ComposeLoader.load(files: files, projectName: projectName, envFile: envFile, environment: environment)
                var client = DockerClient(host: try docker.resolve())
                try await client.negotiate()
                observed = try await DriftProbe(client: client).observe(project: project.name, expectedImages: project.services.values.compactMap(\.image))
            }
        } catch let error as DriftError {
            Terminal.error("audit drift: \(error)")
            throw CheckExit.usage
        }
        // Offline without --images, an env variable only the container has may be the image's: listed, unverified.
        let items = DriftChecker.compare(expected: project, actual: observed.containers, images: observed.images, ignore: rules,
                                         reportUnverified: expected != nil && images == nil)
        var out = Terminal.Buffered()
        switch format {
        case .table: DriftReport.table(items, project: project.name).forEach { out.line($0) }
        case .markdown: DriftReport.markdown(items, project: project.name).forEach { out.line($0) }
        case .json: out.line(DriftReport.json(items, project: project.name))
        }
        out.flush()
        if let failOn, items.contains(where: { $0.unverified == nil && $0.severity >= failOn }) {
            throw CheckExit.findings
        }
    }
}
