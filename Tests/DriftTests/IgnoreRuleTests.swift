import Testing
@testable import Drift

@Suite struct IgnoreRuleTests {
    private func item(_ service: String, _ field: String) -> DriftItem {
        DriftItem(service: service, container: nil, field: field, expected: nil, actual: nil,
                  severity: .low, kind: .configDrift)
    }

    @Test func fieldMatchesExactlyOrAsPrefixUpToADot() throws {
        let rule = try IgnoreRule.parse("api.env")
        #expect(rule.matches(item("api", "env")))
        #expect(rule.matches(item("api", "env.FOO")))
        #expect(!rule.matches(item("api", "environment")))
        #expect(!rule.matches(item("web", "env.FOO")))
    }

    @Test func wildcardServiceAndDottedField() throws {
        let rule = try IgnoreRule.parse("*.labels.com.example.build")
        #expect(rule == IgnoreRule(service: "*", field: "labels.com.example.build"))
        #expect(rule.matches(item("web", "labels.com.example.build")))
        #expect(!rule.matches(item("web", "labels.com.example.tier")))
    }

    @Test func rejectsPatternsWithoutAField() {
        for text in ["api", "api.", ".env"] {
            #expect(throws: DriftError("invalid ignore rule \"\(text)\": expected service.field or *.field")) {
                try IgnoreRule.parse(text)
            }
        }
    }
}
