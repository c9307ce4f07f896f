/// One difference between the manifest and a running container, said as a sentence for a person:
/// "service api is not running (its container is exited); the manifest runs it", not
/// "container: manifest running, running (none)". Shared by `audit drift` and the report's drift findings.
public enum DriftSentence {
    /// - Parameters:
    ///   - field: the dotted field (`memory`, `env.DEBUG`, `container` for a service with no running
    ///     container, `service` for an orphan, `scale`).
    ///   - expected: the manifest's value; nil when it sets none.
    ///   - actual: the container's value; nil when it has none.
    public static func describe(service: String?, field: String, expected: String?, actual: String?) -> String {
        let name = service.map { "service \($0)" } ?? "the service"
        switch field {
        case "container":
            guard let actual else { return "\(name) has no container; the manifest runs it" }
            return "\(name) is not running (its container is \(actual)); the manifest runs it"
        case "service" where expected == nil:
            return "a container of \(name) runs, but the manifest has no such service"
        case "scale":
            return "\(name) runs \(actual ?? "0") container(s); the manifest asks for \(expected ?? "1")"
        default:
            break
        }
        let subject = field.hasPrefix("env.") ? "env \(field.dropFirst(4))" : field
        switch (expected, actual) {
        case (nil, let actual?):
            return field.hasPrefix("env.") ? "\(subject)=\(actual) is set in the container, not in the manifest"
                                           : "\(subject) is \(actual) in the container; the manifest sets none"
        case (let expected?, nil):
            return "\(subject) is \(expected) in the manifest; the container has none"
        case (let expected?, let actual?):
            return "\(subject) is \(actual); the manifest says \(expected)"
        case (nil, nil):
            return "\(subject) differs from the manifest"
        }
    }
}
