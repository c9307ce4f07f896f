import Testing
@testable import AuditSupport

@Suite struct TimeTests {
    @Test func rfc3339RoundTripsNanoseconds() {
        let t = Timestamp(nanoseconds: 1_795_748_251_871_336_881)
        #expect(RFC3339.format(t) == "2026-11-27T02:57:31.871336881Z")
        #expect(RFC3339.parse(RFC3339.format(t)) == t)
    }

    @Test(arguments: [
        ("2021-04-28T19:50:00Z", 1_619_639_400),
        ("2021-04-28 21:50:00 +0200", 1_619_639_400),
        ("2021-04-28 19:50:00 UTC", 1_619_639_400),
        ("2021-04-28T21:50:00+02:00", 1_619_639_400),
        ("2021-04-28", 1_619_568_000),
    ])
    func parsesTheShapesCIAndDockerWrite(text: String, seconds: Int64) {
        #expect(RFC3339.parse(text) == Timestamp(seconds: seconds))
    }

    @Test func dockersZeroTimeMeansNever() {
        #expect(RFC3339.parse("0001-01-01T00:00:00Z") == nil)
    }

    @Test(arguments: [("30m", 1_800), ("24h", 86_400), ("7d", 604_800), ("1h30m", 5_400), ("90s", 90)])
    func durationsAsDockerEventsTakesThem(text: String, seconds: Int64) {
        #expect(TimeArgument.parseDuration(text) == seconds * 1_000_000_000)
        let now = Timestamp(seconds: 2_000_000_000)
        #expect(TimeArgument.parse(text, now: now) == Timestamp(seconds: 2_000_000_000 - seconds))
    }

    @Test func unixSecondsAndGarbage() {
        let now = Timestamp(seconds: 0)
        #expect(TimeArgument.parse("1700000000.5", now: now) == Timestamp(nanoseconds: 1_700_000_000_500_000_000))
        #expect(TimeArgument.parse("yesterday", now: now) == nil)
        #expect(TimeArgument.parse("10x", now: now) == nil)
    }

    @Test func bytesReadAsOperatorsSayThem() {
        #expect(ByteSize.describe(536_870_912) == "512 MiB")
        #expect(ByteSize.describe(2_147_483_648) == "2 GiB")
        #expect(ByteSize.describe(nil) == "unset")
        #expect(SecretMask.command("mysql --password=hunter2 -u root") == "mysql --password=*** -u root")
        #expect(SecretMask.command("env TOKEN=abc run") == "env TOKEN=*** run")
        #expect(SecretMask.command("login --token abc") == "login --token ***")
    }
}
