#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Loads compose files the way `docker compose -f a.yml -f b.yml` does:
/// interpolate each file, merge them in order, then normalise every service.
///
/// Also loads the output of `docker compose config` (already merged and
/// interpolated) given as the single file.
public enum ComposeLoader {
    /// A compose file's name (used in messages and as its location) and text.
    public struct Source: Sendable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// Reads and loads compose files.
    ///
    /// - Parameters:
    ///   - files: compose files in `-f` order; the first one's directory is the project directory.
    ///   - projectName: `-p`, which wins over every other source of the name.
    ///   - envFile: `--env-file`, read after the project's `.env` and before `environment`.
    ///   - environment: the process environment; it wins over both env files.
    public static func load(files: [String], projectName: String?, envFile: String?,
                            environment: [String: String]) throws -> ComposeProject {
        guard let first = files.first else { throw DriftError("no compose file given") }
        var sources: [Source] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw DriftError("compose file \(file): cannot be read")
            }
            sources.append(Source(path: file, text: String(decoding: data, as: UTF8.self)))
        }
        let directory = PathResolver.resolve(PathResolver.directory(of: first),
                                             against: FileManager.default.currentDirectoryPath)
        var variables: [String: String] = [:]
        let dotEnv = directory + "/.env"
        if FileManager.default.fileExists(atPath: dotEnv) {
            for entry in try EnvFile.read(path: dotEnv, environment: environment) {
                if let value = entry.value { variables[entry.key] = value }
            }
        }
        if let envFile {
            for entry in try EnvFile.read(path: envFile, environment: environment) {
                if let value = entry.value { variables[entry.key] = value }
            }
        }
        variables.merge(environment) { _, process in process }
        return try load(sources: sources, projectDirectory: directory, projectName: projectName, variables: variables)
    }

    /// Loads compose texts already in memory.
    ///
    /// - Parameters:
    ///   - projectDirectory: absolute directory relative paths resolve against.
    ///   - variables: the full interpolation environment (env files and process environment already layered).
    public static func load(sources: [Source], projectDirectory: String, projectName: String?,
                            variables: [String: String]) throws -> ComposeProject {
        let interpolator = Interpolator(variables: variables)
        var merged: ComposeValue?
        for source in sources {
            let tree = try YAMLReader(file: source.path, interpolator: interpolator).read(source.text)
            merged = ComposeMerger.merge(merged, tree)
        }
        let root = merged?.mapping ?? [:]
        let name = ProjectName.resolve(explicit: projectName, topLevel: root["name"]?.string,
                                       environment: variables, projectDirectory: projectDirectory)
        let normaliser = ServiceNormaliser(projectName: name, projectDirectory: projectDirectory,
                                           environment: variables, declaredVolumes: root["volumes"]?.mapping ?? [:])
        var services: [String: ExpectedService] = [:]
        for (serviceName, definition) in root["services"]?.mapping ?? [:] {
            services[serviceName] = try normaliser.normalise(name: serviceName, definition)
        }
        var rules: [IgnoreRule] = []
        if let ignore = root["x-audit-ignore"] {
            guard let list = ignore.sequence else {
                throw DriftError.compose(at: ignore.origin, "x-audit-ignore must be a list of service.field patterns")
            }
            for item in list {
                do {
                    rules.append(try IgnoreRule.parse(item.string ?? item.shape))
                } catch let error as DriftError {
                    throw DriftError.compose(at: item.origin, error.message)
                }
            }
        }
        return ComposeProject(name: name, services: services, ignore: rules, files: sources.map(\.path))
    }
}
