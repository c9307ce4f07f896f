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

    /// Issue 9: impossible dates and offsets were accepted and meant some other instant.
    @Test(arguments: [
        "2026-02-31", "2026-02-29T00:00:00Z", "2100-02-29", "2026-04-31T10:00:00Z", "2026-06-31",
        "2026-01-01T00:00:00-99:99", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60",
        "2026-01-01 00:00:00 +2400", "2026-01-01T24:00:00Z",
        // Valid text whose instant lies outside Int64 nanoseconds (after the offset is applied).
        "2261-12-31T23:59:59-00:01", "1678-01-01T00:00:00+00:01",
    ])
    func rejectsImpossibleDatesAndOffsets(text: String) {
        #expect(RFC3339.parse(text) == nil, "\(text)")
    }

    @Test func acceptsLeapDaysAndTheRangeEnds() {
        #expect(RFC3339.parse("2024-02-29") == Timestamp(seconds: 1_709_164_800))
        #expect(RFC3339.parse("2000-02-29T00:00:00Z") == Timestamp(seconds: 951_782_400))
        #expect(RFC3339.parse("2026-01-01T00:00:00-23:59") != nil)
        #expect(RFC3339.parse("2261-12-31T23:59:59.999999999Z") == Timestamp.latest)
        #expect(RFC3339.parse("1678-01-01T00:00:00Z") == Timestamp.earliest)
    }

    @Test func formatsEveryInt64WithoutTrapping() {
        for n: Int64 in [.min, .min + 1, -1, 0, .max, -9_223_372_036_854_775_807] {
            #expect(!RFC3339.format(Timestamp(nanoseconds: n)).isEmpty)
        }
        #expect(RFC3339.format(Timestamp(nanoseconds: -1)) == "1969-12-31T23:59:59.999999999Z")
    }

    @Test func timesAndDurationsTooLargeForNanosecondsAreRejected() {
        let now = Timestamp(seconds: 1_700_000_000)
        #expect(TimeArgument.parseDuration("99999999999999d") == nil)
        #expect(TimeArgument.parseDuration("1" + String(repeating: "0", count: 400) + "s") == nil)
        #expect(TimeArgument.parse("999999999999h", now: now) == nil)
        #expect(TimeArgument.parse("9999999999999", now: now) == nil)
        #expect(TimeArgument.parse("9214646399", now: now) == Timestamp(seconds: 9_214_646_399))
        #expect(Timestamp(checkedSeconds: 9_999_999_999) == nil)
        #expect(Timestamp(checkedSeconds: -9_999_999_999) == nil)
        #expect(Timestamp(checkedSeconds: 1_700_000_000) == Timestamp(seconds: 1_700_000_000))
    }

    @Test func byteSizesThatOverflowAreRejectedNotTrapped() {
        #expect(ByteSize.parse("1.999999999p") == 2_251_799_812_559_348)
        #expect(ByteSize.parse("8191.999999999p") == 9_223_372_036_853_649_908)
        #expect(ByteSize.parse("8192p") == nil)
        #expect(ByteSize.parse("9000000000000000000") == 9_000_000_000_000_000_000)
        #expect(ByteSize.format(.max) == "9223372036854775807 B")
        #expect(ByteSize.format(1 << 62) == "4194304 TiB")
        #expect(DecimalText.scaled("99999999999", by: 1_000_000_000) == nil)
        #expect(DecimalText.scaled("9.999999999", by: 1 << 62) == nil)
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
