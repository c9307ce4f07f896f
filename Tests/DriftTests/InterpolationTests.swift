import Testing
@testable import Drift

@Suite struct InterpolationTests {
    let vars = Interpolator(variables: ["SET": "value", "EMPTY": ""])

    @Test func plainAndBracedVariables() throws {
        #expect(try vars.interpolate("$SET/${SET}-x") == "value/value-x")
        #expect(try vars.interpolate("$UNSET|${UNSET}") == "|")
    }

    @Test func defaultWhenUnsetOrEmptyWithColonDash() throws {
        #expect(try vars.interpolate("${UNSET:-def}") == "def")
        #expect(try vars.interpolate("${EMPTY:-def}") == "def")
        #expect(try vars.interpolate("${SET:-def}") == "value")
    }

    @Test func defaultOnlyWhenUnsetWithDash() throws {
        #expect(try vars.interpolate("${UNSET-def}") == "def")
        #expect(try vars.interpolate("${EMPTY-def}") == "")
        #expect(try vars.interpolate("${SET-def}") == "value")
    }

    @Test func alternativeWithColonPlusAndPlus() throws {
        #expect(try vars.interpolate("${SET:+alt}") == "alt")
        #expect(try vars.interpolate("${EMPTY:+alt}") == "")
        #expect(try vars.interpolate("${UNSET:+alt}") == "")
        #expect(try vars.interpolate("${EMPTY+alt}") == "alt")
        #expect(try vars.interpolate("${UNSET+alt}") == "")
    }

    @Test func requiredWithColonQuestion() throws {
        #expect(try vars.interpolate("${SET:?boom}") == "value")
        #expect(throws: Interpolator.Failure.required(variable: "EMPTY", message: "must be set")) {
            try vars.interpolate("${EMPTY:?must be set}")
        }
        #expect(throws: Interpolator.Failure.required(variable: "UNSET", message: "")) {
            try vars.interpolate("${UNSET:?}")
        }
    }

    @Test func requiredWithQuestionAcceptsEmpty() throws {
        #expect(try vars.interpolate("${EMPTY?boom}") == "")
        #expect(throws: Interpolator.Failure.required(variable: "UNSET", message: "boom")) {
            try vars.interpolate("${UNSET?boom}")
        }
    }

    @Test func dollarDollarEscapes() throws {
        #expect(try vars.interpolate("echo $$SET costs $$5") == "echo $SET costs $5")
    }

    @Test func nestedDefault() throws {
        #expect(try vars.interpolate("${UNSET:-${SET}-suffix}") == "value-suffix")
    }

    @Test func invalidTemplatesAreRejected() {
        #expect(throws: Interpolator.Failure.invalid(template: "${SET")) { try vars.interpolate("${SET") }
        #expect(throws: Interpolator.Failure.invalid(template: "a $ b")) { try vars.interpolate("a $ b") }
    }

    @Test func missingRequiredVariableNamesFileLineAndVariable() {
        let yaml = """
        services:
          db:
            image: postgres:15
            environment:
              POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in .env}
        """
        let error = #expect(throws: DriftError.self) { try Fixtures.load([yaml]) }
        #expect(error?.message == "compose file file1.yml line 5: required variable DB_PASSWORD is missing a value: "
            + "set DB_PASSWORD in .env (services.db.environment.POSTGRES_PASSWORD)")
    }

    @Test func keysAreNotInterpolated() throws {
        let project = try Fixtures.load(["services:\n  web:\n    image: x\n    labels:\n      $$KEY: ${SET}\n"],
                                        variables: ["SET": "v"])
        #expect(project.services["web"]?.labels == ["$$KEY": "v"])
    }
}
