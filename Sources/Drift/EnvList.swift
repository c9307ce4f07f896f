/// `KEY=VALUE` lists as Docker keeps `Config.Env`.
enum EnvList {
    static func map(_ list: [String]) -> [String: String] {
        var map: [String: String] = [:]
        for entry in list {
            if let eq = entry.firstIndex(of: "=") {
                map[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            } else {
                map[entry] = ""
            }
        }
        return map
    }
}
