import ArgumentParser
import AuditSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CollectSettings {
    /// A secret: a flag's file, else the environment's secret, else the configuration file's file.
    func secret(file key: String, variable: String, environment: [String: String]) throws -> [UInt8]? {
        let fromEnvironment = !(environment[variable] ?? "").isEmpty
        if let file = text(key), resolved[key]?.source == "flag" || !fromEnvironment {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError(problem(key, "cannot read \(file): check the path and that this user may read it"))
            }
            return Array(String(decoding: data, as: UTF8.self).trimmingSpaces().trimmingNewlines().utf8)
        }
        guard let fromEnv = environment[variable], !fromEnv.isEmpty else { return nil }
        return Array(fromEnv.utf8)
    }
}
