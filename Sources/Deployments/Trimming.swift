extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        let s = self[...]
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = s.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return Substring(s[first...last])
    }
}
