import Foundation
import Testing

@testable import AlertRelay

/// RecurringInterval held to Alertmanager's `timeinterval` package: the cases of its own tests (v0.25.0,
/// timeinterval/timeinterval_test.go, plus the few added since), its parser's rules (timeinterval.go), a line-by-line port of
/// `TimeInterval.ContainsTime` run against random intervals over 2023-2028, and the month ends of a bug report.
@Suite struct AlertmanagerTimeIntervalTests {

    // MARK: - ContainsTime cases from Alertmanager's tests

    @Test(arguments: AlertmanagerTimeIntervalTests.containsTimeCases)
    func containsTimeAsInAlertmanagersTests(_ example: ContainsExample) throws {
        var interval = try example.interval.build()
        if !example.rawDaysOfMonth.isEmpty {
            interval.daysOfMonth = example.rawDaysOfMonth.map { (start: $0.begin, end: $0.end) }
        }
        let instant = try #require(Self.goTime(example.time), "cannot read \(example.time)")
        #expect(interval.contains(instant) == example.contained)
    }

    /// `timeIntervalTestCases` (TestContainsTime), then the contains/excludes of TestYamlUnmarshal, TestTimeIntervalComplete and
    /// TestIntervener_Mutes. Go builds most of these as structs; each is written here as the config strings that parse to it.
    static let containsTimeCases: [ContainsExample] = [
        // TestContainsTime: the empty interval contains everything.
        examples(
            "TestContainsTime, empty interval", IntervalText(),
            valid: ["02 Jan 06 15:04 +0000", "03 Jan 07 10:04 +0000", "04 Jan 06 09:04 +0000"], invalid: []),
        // TestContainsTime: 9am to 5pm, monday to friday.
        examples(
            "TestContainsTime, 9am to 5pm", IntervalText(times: [TimeSpan("09:00", "17:00")], weekdays: ["monday:friday"]),
            valid: ["04 May 20 15:04 +0000", "05 May 20 10:04 +0000", "09 Jun 20 09:04 +0000"],
            invalid: ["03 May 20 15:04 +0000", "04 May 20 08:59 +0000", "05 May 20 05:00 +0000"]),
        // TestContainsTime: Easter 2020.
        examples(
            "TestContainsTime, Easter 2020", IntervalText(daysOfMonth: ["4:6"], months: ["april"], years: ["2020"]),
            valid: ["04 Apr 20 15:04 +0000", "05 Apr 20 00:00 +0000", "06 Apr 20 23:05 +0000"],
            invalid: [
                "03 May 18 15:04 +0000", "03 Apr 20 23:59 +0000", "04 Jun 20 23:59 +0000", "06 Apr 19 23:59 +0000",
                "07 Apr 20 00:00 +0000",
            ]),
        // TestContainsTime: negative days of month, the last 3 days of each month.
        examples(
            "TestContainsTime, last 3 days", IntervalText(daysOfMonth: ["-3:-1"]),
            valid: [
                "31 Jan 20 15:04 +0000", "30 Jan 20 15:04 +0000", "29 Jan 20 15:04 +0000", "30 Jun 20 00:00 +0000",
                "29 Feb 20 23:05 +0000",
            ],
            invalid: [
                "03 May 18 15:04 +0000", "27 Jan 20 15:04 +0000", "03 Apr 20 23:59 +0000", "04 Jun 20 23:59 +0000",
                "06 Apr 19 23:59 +0000", "07 Apr 20 00:00 +0000", "01 Mar 20 00:00 +0000",
            ]),
        // TestContainsTime: out of bound days are clamped to month boundaries. Go builds DayOfMonthRange{-31, 31} as a struct;
        // its parser would refuse "-31:31" (a negative start needs a negative end), so the range is set on the built interval.
        // Go's "1 Jul 20 00:00 +0000" does not parse as RFC822Z (a two-digit day); Go ignores the error and tests the zero time
        // (0001-01-01 UTC), also outside June. The intended 01 Jul 2020 is tested here.
        examples(
            "TestContainsTime, clamped -31:31", IntervalText(months: ["june"]), rawDays: [Bounds(-31, 31)],
            valid: ["30 Jun 20 00:00 +0000", "01 Jun 20 00:00 +0000"],
            invalid: ["31 May 20 00:00 +0000", "01 Jul 20 00:00 +0000"]),
        // TestContainsTime: AEST 9AM to 5PM, Monday to Friday.
        examples(
            "TestContainsTime, Sydney 9am to 5pm",
            IntervalText(times: [TimeSpan("09:00", "17:00")], weekdays: ["monday:friday"], location: "Australia/Sydney"),
            valid: ["06 Apr 21 13:00 +1000"], invalid: ["06 Apr 21 13:00 +0000"]),
        // TestContainsTime: an alternative timezone during daylight saving time.
        examples(
            "TestContainsTime, Sydney in DST",
            IntervalText(
                times: [TimeSpan("09:00", "17:00")], weekdays: ["monday:friday"], months: ["november"], location: "Australia/Sydney"),
            valid: ["01 Nov 21 09:00 +1100", "31 Oct 21 22:00 +0000"], invalid: ["31 Oct 21 21:00 +0000"]),
        // TestContainsTime, added after v0.25 with alertmanager#5447: last-day mutes do not shift in spring-forward months.
        examples(
            "TestContainsTime, New York last day", IntervalText(daysOfMonth: ["-1"], location: "America/New_York"),
            valid: ["31 Mar 21 12:00 -0400"], invalid: ["30 Mar 21 12:00 -0400"]),

        // TestYamlUnmarshal: simple business hours.
        examples(
            "TestYamlUnmarshal, business hours", IntervalText(times: [TimeSpan("09:00", "17:00")], weekdays: ["monday:friday"]),
            valid: ["08 Jul 20 09:00 +0000", "08 Jul 20 16:59 +0000"], invalid: ["08 Jul 20 05:00 +0000", "08 Jul 20 08:59 +0000"]),
        // TestYamlUnmarshal: last week, excluding Saturday, of the first quarter, business hours, 2020-2025 and 2030-2035.
        // ("31 Mar 25 13:00 +0000" is listed twice in Go.)
        examples(
            "TestYamlUnmarshal, negative indices and ranges", Self.firstQuarterLastWeek,
            valid: [
                "27 Jan 21 09:00 +0000", "28 Jan 21 16:59 +0000", "29 Jan 21 13:00 +0000", "31 Mar 25 13:00 +0000",
                "31 Jan 35 13:00 +0000",
            ],
            invalid: ["30 Jan 21 13:00 +0000", "01 Apr 21 13:00 +0000", "30 Jan 26 13:00 +0000", "31 Jan 35 17:01 +0000"]),
        // TestYamlUnmarshal: business hours without a trailing newline.
        examples(
            "TestYamlUnmarshal, no trailing newline", IntervalText(times: [TimeSpan("09:00", "17:00")], weekdays: ["monday:friday"]),
            valid: ["01 Apr 21 13:00 +0000"], invalid: []),

        // TestTimeIntervalComplete: weekdays, times, days, years and months together.
        examples(
            "TestTimeIntervalComplete, every field", Self.everyField,
            valid: ["10 Jan 21 13:00 +0000", "30 Jan 21 14:24 +0000"],
            invalid: ["09 Jan 21 13:00 +0000", "20 Jan 21 12:59 +0000", "02 Feb 21 13:00 +0000"]),
        // TestTimeIntervalComplete: broken clamping (a start past the end of the month clamped to the month's last day).
        examples(
            "TestTimeIntervalComplete, 30:31 in February",
            IntervalText(daysOfMonth: ["30:31"], months: ["february"], years: ["2020:2023"]),
            valid: [], invalid: ["28 Feb 21 13:00 +0000"]),

        // TestIntervener_Mutes (added after v0.25; Mutes is ContainsTime on each interval): evenings and weekends in Sydney.
        examples(
            "TestIntervener_Mutes, evenings", Self.sydneyEvenings,
            valid: [
                "2024-01-01T00:00:00+11:00", "2024-01-06T17:00:00+11:00", "2024-01-01T10:00:00Z", "2024-01-06T10:00:00Z",
            ],
            invalid: ["2024-01-01T09:00:00+11:00", "2024-01-06T10:00:00+11:00"]),
        examples(
            "TestIntervener_Mutes, weekends", Self.sydneyWeekends,
            valid: ["2024-01-06T10:00:00+11:00", "2024-01-06T17:00:00+11:00", "2024-01-06T10:00:00Z"],
            invalid: ["2024-01-01T00:00:00+11:00", "2024-01-01T09:00:00+11:00", "2024-01-01T10:00:00Z"]),
    ].flatMap { $0 }

    static let firstQuarterLastWeek = IntervalText(
        times: [TimeSpan("09:00", "17:00")], weekdays: ["monday:friday", "sunday"], daysOfMonth: ["-7:-1"], months: ["january:march"],
        years: ["2020:2025", "2030:2035"])
    static let everyField = IntervalText(
        times: [TimeSpan("13:00", "15:00")], weekdays: ["monday:wednesday", "saturday", "sunday"], daysOfMonth: ["1", "10", "20:-1"],
        months: ["january:march"], years: ["2020:2023"])
    static let sydneyEvenings = IntervalText(
        times: [TimeSpan("00:00", "09:00"), TimeSpan("17:00", "24:00")], location: "Australia/Sydney")
    static let sydneyWeekends = IntervalText(weekdays: ["saturday", "sunday"], location: "Australia/Sydney")

    // MARK: - Parsing as Alertmanager parses

    @Test(arguments: AlertmanagerTimeIntervalTests.goParsingCases)
    func parsesAsInAlertmanagersTests(_ example: ParseExample) {
        Self.check(example)
    }

    /// TestParseTimeString, TestYamlUnmarshal and TestTimeIntervalComplete: each input and whether Go took it; for inputs Go
    /// took, the values Go's DeepEqual compares against, where the test gives them.
    static let goParsingCases: [ParseExample] = [
        // TestParseTimeString.
        ParseExample(
            "TestParseTimeString", IntervalText(times: [TimeSpan("00:00", "24:00")]), accepted: true,
            parsed: GoTimeInterval(times: [Bounds(0, 1440)])),
        ParseExample(
            "TestParseTimeString", IntervalText(times: [TimeSpan("01:35", "17:39")]), accepted: true,
            parsed: GoTimeInterval(times: [Bounds(95, 1059)])),
        ParseExample(
            "TestParseTimeString", IntervalText(times: [TimeSpan("09:35", "09:39")]), accepted: true,
            parsed: GoTimeInterval(times: [Bounds(575, 579)])),
        ParseExample("TestParseTimeString, begin equals end", IntervalText(times: [TimeSpan("17:31", "17:31")]), accepted: false),
        ParseExample("TestParseTimeString, end out of range", IntervalText(times: [TimeSpan("12:30", "24:01")]), accepted: false),
        ParseExample("TestParseTimeString, start after end", IntervalText(times: [TimeSpan("09:30", "07:41")]), accepted: false),
        ParseExample("TestParseTimeString, start 24:00", IntervalText(times: [TimeSpan("24:00", "17:41")]), accepted: false),
        // Go reads a missing end_time as "" and refuses it ("both start and end times must be provided").
        ParseExample("TestParseTimeString, no end", IntervalText(times: [TimeSpan("14:03", "")]), accepted: false),

        // TestYamlUnmarshal.
        ParseExample(
            "TestYamlUnmarshal, business hours", IntervalText(times: [TimeSpan("09:00", "17:00")], weekdays: ["monday:friday"]),
            accepted: true, parsed: GoTimeInterval(times: [Bounds(540, 1020)], weekdays: [Bounds(1, 5)])),
        ParseExample(
            "TestYamlUnmarshal, negative indices and ranges", Self.firstQuarterLastWeek, accepted: true,
            parsed: GoTimeInterval(
                times: [Bounds(540, 1020)], weekdays: [Bounds(1, 5), Bounds(0, 0)], daysOfMonth: [Bounds(-7, -1)],
                months: [Bounds(1, 3)], years: [Bounds(2020, 2025), Bounds(2030, 2035)])),
        // (The third case repeats business hours without a trailing newline: YAML layout only.)
        ParseExample("TestYamlUnmarshal, invalid start time", IntervalText(times: [TimeSpan("01:99", "23:59")]), accepted: false),
        ParseExample("TestYamlUnmarshal, invalid end time", IntervalText(times: [TimeSpan("00:00", "99:99")]), accepted: false),
        ParseExample("TestYamlUnmarshal, start day after end day", IntervalText(weekdays: ["friday:monday"]), accepted: false),
        ParseExample("TestYamlUnmarshal, invalid weekdays", IntervalText(weekdays: ["blurgsday:flurgsday"]), accepted: false),
        ParseExample("TestYamlUnmarshal, numeric weekdays", IntervalText(weekdays: ["1:3"]), accepted: false),
        ParseExample("TestYamlUnmarshal, negative numeric weekdays", IntervalText(weekdays: ["-2:-1"]), accepted: false),
        ParseExample("TestYamlUnmarshal, day 0", IntervalText(daysOfMonth: ["0"]), accepted: false),
        ParseExample("TestYamlUnmarshal, start day < -31", IntervalText(daysOfMonth: ["-50:-20"]), accepted: false),
        ParseExample("TestYamlUnmarshal, end day > 31", IntervalText(daysOfMonth: ["1:50"]), accepted: false),
        ParseExample(
            "TestYamlUnmarshal, negative end", IntervalText(daysOfMonth: ["1:-1"]), accepted: true,
            parsed: GoTimeInterval(daysOfMonth: [Bounds(1, -1)])),
        ParseExample(
            "TestYamlUnmarshal, negative start needs a negative end", IntervalText(daysOfMonth: ["-15:5"]), accepted: false),
        ParseExample(
            "TestYamlUnmarshal, negative end always before start", IntervalText(daysOfMonth: ["10:-25"]), accepted: false),
        ParseExample(
            "TestYamlUnmarshal, months in any case", IntervalText(months: ["January:december"]), accepted: true,
            parsed: GoTimeInterval(months: [Bounds(1, 12)])),
        ParseExample(
            "TestYamlUnmarshal, location", IntervalText(years: ["2020:2022"], location: "Australia/Sydney"), accepted: true,
            parsed: GoTimeInterval(years: [Bounds(2020, 2022)], location: "Australia/Sydney")),
        ParseExample("TestYamlUnmarshal, invalid start month", IntervalText(months: ["martius:june"]), accepted: false),
        ParseExample("TestYamlUnmarshal, invalid end month", IntervalText(months: ["march:junius"]), accepted: false),
        ParseExample("TestYamlUnmarshal, start month after end", IntervalText(months: ["december:january"]), accepted: false),
        ParseExample("TestYamlUnmarshal, start year after end", IntervalText(years: ["2022:2020"]), accepted: false),

        // TestTimeIntervalComplete.
        ParseExample("TestTimeIntervalComplete, every field", Self.everyField, accepted: true),
        ParseExample(
            "TestTimeIntervalComplete, 30:31 in February",
            IntervalText(daysOfMonth: ["30:31"], months: ["february"], years: ["2020:2023"]), accepted: true),
    ]

    @Test(arguments: AlertmanagerTimeIntervalTests.goParserRules)
    func parsesAsAlertmanagersParser(_ example: ParseExample) {
        Self.check(example)
    }

    /// Inputs beyond Alertmanager's tests, with the verdict of its parser as timeinterval.go (v0.25.0) writes it: times match
    /// `^(([01][0-9]|2[0-3]):[0-5][0-9])$|^24:00$` and start < end; a range is `a` or `a:b`, lowercased whole, each bound read
    /// as-is (no trimming; days and years by strconv.Atoi); weekdays are names only, begin <= end; days are -31...31 without
    /// 0, not negative:positive, and begin <= end counting a negative day from a 28-day month; months a name or any integer
    /// with begin <= end; years any integer with begin <= end; location whatever time.LoadLocation takes.
    static let goParserRules: [ParseExample] = [
        ParseExample("times: hour 25", IntervalText(times: [TimeSpan("25:00", "26:00")]), accepted: false),
        ParseExample("times: past 24:00", IntervalText(times: [TimeSpan("23:00", "24:30")]), accepted: false),
        ParseExample("times: minute 60", IntervalText(times: [TimeSpan("23:60", "24:00")]), accepted: false),
        ParseExample("times: one-digit hour", IntervalText(times: [TimeSpan("9:00", "17:00")]), accepted: false),
        ParseExample("times: a sign", IntervalText(times: [TimeSpan("+9:00", "17:00")]), accepted: false),
        ParseExample("times: a doubled colon", IntervalText(times: [TimeSpan("12::00", "17:00")]), accepted: false),
        ParseExample("times: to the end of the day", IntervalText(times: [TimeSpan("23:59", "24:00")]), accepted: true),
        ParseExample("weekdays: misspelt", IntervalText(weekdays: ["sundy"]), accepted: false),
        ParseExample("weekdays: open end", IntervalText(weekdays: ["monday:"]), accepted: false),
        ParseExample("weekdays: three bounds", IntervalText(weekdays: ["monday:tuesday:friday"]), accepted: false),
        ParseExample("weekdays: leading space", IntervalText(weekdays: [" monday"]), accepted: false),
        ParseExample("weekdays: any case", IntervalText(weekdays: ["Monday:FRIDAY"]), accepted: true),
        ParseExample("weekdays: the whole week", IntervalText(weekdays: ["sunday:saturday"]), accepted: true),
        ParseExample("days: 32", IntervalText(daysOfMonth: ["32"]), accepted: false),
        ParseExample("days: -32", IntervalText(daysOfMonth: ["-32"]), accepted: false),
        ParseExample("days: end before start", IntervalText(daysOfMonth: ["10:5"]), accepted: false),
        ParseExample("days: negative end before start", IntervalText(daysOfMonth: ["-1:-3"]), accepted: false),
        ParseExample("days: empty", IntervalText(daysOfMonth: [""]), accepted: false),
        ParseExample("days: leading space", IntervalText(daysOfMonth: [" 5"]), accepted: false),
        ParseExample("days: -31:31", IntervalText(daysOfMonth: ["-31:31"]), accepted: false),
        ParseExample("days: 28:-1 (-1 is day 27 of a 28-day month)", IntervalText(daysOfMonth: ["28:-1"]), accepted: false),
        ParseExample("days: 1:-28 (-28 is day 0 of a 28-day month)", IntervalText(daysOfMonth: ["1:-28"]), accepted: false),
        ParseExample("days: 27:-1", IntervalText(daysOfMonth: ["27:-1"]), accepted: true),
        ParseExample("days: 1:-27", IntervalText(daysOfMonth: ["1:-27"]), accepted: true),
        ParseExample("days: 31", IntervalText(daysOfMonth: ["31"]), accepted: true),
        ParseExample("days: -31", IntervalText(daysOfMonth: ["-31"]), accepted: true),
        ParseExample("days: 29:31", IntervalText(daysOfMonth: ["29:31"]), accepted: true),
        ParseExample("days: -31:-29", IntervalText(daysOfMonth: ["-31:-29"]), accepted: true),
        ParseExample("days: a plus sign (strconv.Atoi takes it)", IntervalText(daysOfMonth: ["+5"]), accepted: true),
        ParseExample("months: names and numbers mixed", IntervalText(months: ["January:12"]), accepted: true),
        ParseExample("years: one year", IntervalText(years: ["2026"]), accepted: true),
        ParseExample("location: unknown", IntervalText(location: "Mars/Olympus"), accepted: false),
        ParseExample("location: Local", IntervalText(location: "Local"), accepted: true),
        ParseExample("location: UTC", IntervalText(location: "UTC"), accepted: true),
    ]

    /// Alertmanager 0.25 takes these (a month or year is any integer there, and `location: ''` is UTC): such a month or year
    /// never matches. RecurringInterval refuses them, as RecurringIntervalTests.aBadFieldIsNamed already requires for month 13.
    @Test(arguments: [
        IntervalText(months: ["13"]), IntervalText(months: ["0"]), IntervalText(years: ["0"]), IntervalText(location: ""),
    ])
    func refusedHereThoughAlertmanagerTakesIt(_ text: IntervalText) {
        #expect(throws: RecurringIntervalError.self, "\(text.testDescription)") { try text.build() }
    }

    static func check(_ example: ParseExample) {
        do {
            let interval = try example.interval.build()
            #expect(example.accepted, "Alertmanager refuses \(example.interval.testDescription)")
            if let parsed = example.parsed {
                #expect(parsed.hasSameFields(as: interval), "expected \(parsed), got \(interval)")
            }
        } catch {
            #expect(!example.accepted, "Alertmanager accepts \(example.interval.testDescription); refused: \(error.key): \(error.message)")
        }
    }

    // MARK: - Against a port of Go's ContainsTime, 2023-2028

    /// Evaluations stay near a million: about 877,000 here (400 intervals, every other day, two instants a day) and 131,520
    /// in `monthEndsAgreeEveryDay`.
    static let randomIntervalCount = 400
    static let dayStride = 2
    static let locations = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]

    @Test func agreesWithAlertmanagersContainsTimeOnRandomIntervals() throws {
        var instants: [String: [Instant]] = [:]
        for location in Self.locations { instants[location] = try Self.sixYears(in: location) }
        let dayCount = try #require(instants["UTC"]).count / 2
        var tally = Tally(days: dayCount)
        var generator = IntervalGenerator(rng: SplitMix64(seed: 0x5EED_A1E7_0025))
        var skipped = 0
        for _ in 0..<Self.randomIntervalCount {
            let (reference, text) = generator.next()
            guard let interval = try? text.build() else {
                skipped += 1
                continue
            }
            let offset = generator.int(0...(Self.dayStride - 1))
            for instant in try #require(instants[reference.location]) where instant.dayIndex % Self.dayStride == offset {
                tally.compare(interval, reference, text, at: instant)
            }
        }
        #expect(skipped * 2 < Self.randomIntervalCount, "\(skipped) of \(Self.randomIntervalCount) generated intervals refused")
        #expect(tally.mismatchCount == 0, "\(tally.mismatchCount) disagreements, first:\n\(tally.mismatches.joined(separator: "\n"))")
        #expect(tally.hits.allSatisfy { $0 > 0 }, "some day of 2023-2028 was never evaluated")
        // Neither answer should dominate, or the comparison says little.
        #expect(tally.contained * 50 > tally.evaluations && (tally.evaluations - tally.contained) * 50 > tally.evaluations)
    }

    /// Days that do not exist in every month, each on every day of 2023-2028 in every location.
    @Test(arguments: AlertmanagerTimeIntervalTests.monthEndDays, AlertmanagerTimeIntervalTests.locations)
    func monthEndsAgreeEveryDay(_ days: Bounds, _ location: String) throws {
        let reference = GoTimeInterval(daysOfMonth: [days], location: location)
        let text = IntervalText(daysOfMonth: [days.dayText], location: location)
        let interval = try text.build()
        let instants = try Self.sixYears(in: location)
        var tally = Tally(days: instants.count / 2)
        for instant in instants { tally.compare(interval, reference, text, at: instant) }
        #expect(tally.mismatchCount == 0, "\(tally.mismatchCount) disagreements, first:\n\(tally.mismatches.joined(separator: "\n"))")
    }

    static let monthEndDays = [Bounds(31, 31), Bounds(30, 31), Bounds(-31, -31), Bounds(29, 31), Bounds(-31, -29), Bounds(1, -1)]

    // MARK: - The bug report's month ends

    @Test func monthEndsFromTheBugReport() throws {
        // days_of_month ['31'] on 30 November 2026: no 31st that month, so outside it (this trapped).
        let thirtyFirst = try IntervalText(daysOfMonth: ["31"]).build()
        for time in ["2026-11-30T00:00:00Z", "2026-11-30T12:00:00Z", "2026-11-30T23:59:59Z"] {
            #expect(!thirtyFirst.contains(try Self.at(time)), "31 on \(time)")
        }
        #expect(thirtyFirst.contains(try Self.at("2026-12-31T12:00:00Z")))
        // ['30:31'] on every day of February, leap year or not; ['-31'] there is the day before the 1st (or two before).
        let lastTwo = try IntervalText(daysOfMonth: ["30:31"]).build()
        let minus31 = try IntervalText(daysOfMonth: ["-31"]).build()
        for (year, length) in [(2026, 28), (2028, 29)] {
            for day in 1...length {
                for time in ["00:30", "12:00"] {
                    let instant = try Self.at("\(year)-02-\(twoDigits(day))T\(time):00Z")
                    #expect(!lastTwo.contains(instant), "30:31 on \(year)-02-\(day) \(time)")
                    #expect(!minus31.contains(instant), "-31 on \(year)-02-\(day) \(time)")
                }
            }
        }
        // In a 31-day month -31 is the 1st.
        #expect(minus31.contains(try Self.at("2026-01-01T12:00:00Z")))
        #expect(minus31.contains(try Self.at("2028-03-01T00:30:00Z")))
        #expect(!minus31.contains(try Self.at("2026-04-01T12:00:00Z")), "April has 30 days: -31 is day 0, before the 1st")
    }
}

// MARK: - Table types

extension AlertmanagerTimeIntervalTests {
    struct TimeSpan: Sendable {
        var start: String
        var end: String
        init(_ start: String, _ end: String) { (self.start, self.end) = (start, end) }
    }

    /// An interval as a config writes it: the strings RecurringInterval's initializer reads.
    struct IntervalText: Sendable, CustomTestStringConvertible {
        var times: [TimeSpan] = []
        var weekdays: [String] = []
        var daysOfMonth: [String] = []
        var months: [String] = []
        var years: [String] = []
        var location: String? = nil

        func build() throws(RecurringIntervalError) -> RecurringInterval {
            try RecurringInterval(
                times: times.map { (start: $0.start, end: $0.end) }, weekdays: weekdays, daysOfMonth: daysOfMonth, months: months,
                years: years, location: location)
        }

        var testDescription: String {
            var fields: [String] = []
            if !times.isEmpty { fields.append("times \(times.map { "\($0.start)-\($0.end)" })") }
            if !weekdays.isEmpty { fields.append("weekdays \(weekdays)") }
            if !daysOfMonth.isEmpty { fields.append("days_of_month \(daysOfMonth)") }
            if !months.isEmpty { fields.append("months \(months)") }
            if !years.isEmpty { fields.append("years \(years)") }
            if let location { fields.append("location \"\(location)\"") }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }

    struct ContainsExample: Sendable, CustomTestStringConvertible {
        var source: String
        var interval: IntervalText
        /// Days of month set on the built interval, for the one Go case whose range its parser refuses.
        var rawDaysOfMonth: [Bounds]
        /// RFC822Z as in the Go tests, or RFC 3339.
        var time: String
        var contained: Bool
        var testDescription: String { "\(source): \(time) \(contained ? "in" : "not in") \(interval.testDescription)" }
    }

    /// One Go case: its interval, the times it contains and those it does not.
    static func examples(
        _ source: String, _ interval: IntervalText, rawDays: [Bounds] = [], valid: [String], invalid: [String]
    ) -> [ContainsExample] {
        valid.map { ContainsExample(source: source, interval: interval, rawDaysOfMonth: rawDays, time: $0, contained: true) }
            + invalid.map { ContainsExample(source: source, interval: interval, rawDaysOfMonth: rawDays, time: $0, contained: false) }
    }

    struct ParseExample: Sendable, CustomTestStringConvertible {
        var source: String
        var interval: IntervalText
        var accepted: Bool
        var parsed: GoTimeInterval?
        init(_ source: String, _ interval: IntervalText, accepted: Bool, parsed: GoTimeInterval? = nil) {
            (self.source, self.interval, self.accepted, self.parsed) = (source, interval, accepted, parsed)
        }
        var testDescription: String { "\(source): \(interval.testDescription) \(accepted ? "accepted" : "refused")" }
    }

    // MARK: Times

    static func at(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text), "cannot read \(text)")
    }

    static let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Go's `time.Parse(time.RFC822Z, s)`, "02 Jan 06 15:04 -0700": a two-digit day, a two-digit year read as 19yy from 69
    /// and 20yy below; or RFC 3339.
    static func goTime(_ text: String) -> Date? {
        if text.contains("T") { return ISO8601DateFormatter().date(from: text) }
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count == 5, parts[0].count == 2, let day = Int(parts[0]), let month = monthAbbreviations.firstIndex(of: parts[1]),
            parts[2].count == 2, let twoDigitYear = Int(parts[2]), parts[3].count == 5, parts[4].count == 5
        else { return nil }
        let year = twoDigitYear >= 69 ? 1900 + twoDigitYear : 2000 + twoDigitYear
        let zone = parts[4]
        return ISO8601DateFormatter().date(
            from: "\(year)-\(twoDigits(month + 1))-\(twoDigits(day))T\(parts[3]):00\(zone.prefix(3)):\(zone.suffix(2))")
    }
}

// MARK: - Reference: Go's TimeInterval.ContainsTime

extension AlertmanagerTimeIntervalTests {
    /// Go's InclusiveRange (Begin, End); for times StartMinute and EndMinute, end exclusive.
    struct Bounds: Sendable, Equatable, CustomTestStringConvertible {
        var begin: Int
        var end: Int
        init(_ begin: Int, _ end: Int) { (self.begin, self.end) = (begin, end) }
        var dayText: String { begin == end ? "\(begin)" : "\(begin):\(end)" }
        var testDescription: String { dayText }
    }

    /// The wall clock of `t.In(location)` as Go's time.Time gives it; weekday 0 is Sunday.
    struct WallClock: Equatable, CustomStringConvertible {
        var year, month, day, weekday, hour, minute: Int

        init(year: Int, month: Int, day: Int, weekday: Int, hour: Int, minute: Int) {
            (self.year, self.month, self.day, self.weekday, self.hour, self.minute) = (year, month, day, weekday, hour, minute)
        }

        init?(_ date: Date, calendar: Calendar) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
            guard let year = parts.year, let month = parts.month, let day = parts.day, let weekday = parts.weekday,
                let hour = parts.hour, let minute = parts.minute
            else { return nil }
            self.init(year: year, month: month, day: day, weekday: weekday - 1, hour: hour, minute: minute)
        }

        var description: String {
            "\(year)-\(twoDigits(month))-\(twoDigits(day)) \(twoDigits(hour)):\(twoDigits(minute)) \(RecurringInterval.weekdayNames[weekday])"
        }
    }

    /// Go's TimeInterval as plain ints; an empty list stands for Go's nil slice (the field is absent).
    struct GoTimeInterval: Sendable, CustomStringConvertible {
        var times: [Bounds] = []
        var weekdays: [Bounds] = []
        var daysOfMonth: [Bounds] = []
        var months: [Bounds] = []
        var years: [Bounds] = []
        var location = "UTC"

        /// `func (tp TimeInterval) ContainsTime(t time.Time) bool`, line by line, on `t` already taken in `location`.
        func containsTime(_ t: WallClock) -> Bool {
            if !times.isEmpty {
                var inside = false
                for validMinutes in times
                where t.hour * 60 + t.minute >= validMinutes.begin && t.hour * 60 + t.minute < validMinutes.end {
                    inside = true
                    break
                }
                if !inside { return false }
            }
            if !daysOfMonth.isEmpty {
                var inside = false
                for validDates in daysOfMonth {
                    let daysInMonth = Self.daysInMonth(year: t.year, month: t.month)
                    var begin = validDates.begin < 0 ? daysInMonth + validDates.begin + 1 : validDates.begin
                    var end = validDates.end < 0 ? daysInMonth + validDates.end + 1 : validDates.end
                    // Skip clamping if the beginning date is after the end of the month.
                    if begin > daysInMonth { continue }
                    // Clamp to the boundaries of the month to prevent crossing into other months.
                    begin = Self.clamp(begin, -1 * daysInMonth, daysInMonth)
                    end = Self.clamp(end, -1 * daysInMonth, daysInMonth)
                    if t.day >= begin && t.day <= end {
                        inside = true
                        break
                    }
                }
                if !inside { return false }
            }
            if !months.isEmpty, !months.contains(where: { t.month >= $0.begin && t.month <= $0.end }) { return false }
            if !weekdays.isEmpty, !weekdays.contains(where: { t.weekday >= $0.begin && t.weekday <= $0.end }) { return false }
            if !years.isEmpty, !years.contains(where: { t.year >= $0.begin && t.year <= $0.end }) { return false }
            return true
        }

        /// The month's length, as Go's `time.Date(y, m+1, 0, 12, 0, 0, 0, loc).Day()` since alertmanager#5447. (v0.25.0
        /// divided the month's duration by 24 hours, one day short for a month with a spring-forward day: 30 for March in New
        /// York. RecurringInterval counts calendar days, as the fix does.)
        static func daysInMonth(year: Int, month: Int) -> Int {
            switch month {
            case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        static func clamp(_ n: Int, _ min: Int, _ max: Int) -> Int {
            if n <= min { return min }
            if n >= max { return max }
            return n
        }

        /// DayOfMonthRange.UnmarshalYAML's checks.
        static func alertmanagerAccepts(days: Bounds) -> Bool {
            guard days.begin != 0, (-31...31).contains(days.begin), days.end != 0, (-31...31).contains(days.end) else { return false }
            if days.begin < 0 && days.end > 0 { return false }
            let checkBegin = days.begin < 0 ? 28 + days.begin : days.begin
            let checkEnd = days.end < 0 ? 28 + days.end : days.end
            return checkBegin <= checkEnd
        }

        /// What Go's DeepEqual compares, against what RecurringInterval parsed.
        func hasSameFields(as interval: RecurringInterval) -> Bool {
            interval.times.map { Bounds($0.lowerBound, $0.upperBound) } == times
                && interval.weekdays.map { Bounds($0.lowerBound, $0.upperBound) } == weekdays
                && interval.daysOfMonth.map { Bounds($0.start, $0.end) } == daysOfMonth
                && interval.months.map { Bounds($0.lowerBound, $0.upperBound) } == months
                && interval.years.map { Bounds($0.lowerBound, $0.upperBound) } == years
                && interval.location == TimeZone(identifier: location)
        }

        var description: String {
            "times \(times.map(\.dayText)) weekdays \(weekdays.map(\.dayText)) days \(daysOfMonth.map(\.dayText)) "
                + "months \(months.map(\.dayText)) years \(years.map(\.dayText)) in \(location)"
        }
    }

    /// One instant with its wall clock in the location it was made in; `dayIndex` counts days from 2023-01-01.
    struct Instant {
        var date: Date
        var clock: WallClock
        var dayIndex: Int
    }

    /// 00:30 and 12:00 on every day of 2023-2028 (2,192 days, leap years 2024 and 2028) in `location`.
    static func sixYears(in location: String) throws -> [Instant] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: location))
        var instants: [Instant] = []
        var dayIndex = 0
        for year in 2023...2028 {
            for month in 1...12 {
                for day in 1...GoTimeInterval.daysInMonth(year: year, month: month) {
                    for (hour, minute) in [(0, 30), (12, 0)] {
                        let wanted = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)
                        let date = try #require(calendar.date(from: wanted))
                        let clock = try #require(WallClock(date, calendar: calendar))
                        if (clock.year, clock.month, clock.day, clock.hour, clock.minute) != (year, month, day, hour, minute) {
                            Issue.record("\(wanted) in \(location) reads back as \(clock)")
                        }
                        instants.append(Instant(date: date, clock: clock, dayIndex: dayIndex))
                    }
                    dayIndex += 1
                }
            }
        }
        return instants
    }

    /// Agreements and disagreements between RecurringInterval and the reference; the first few disagreements in words.
    struct Tally {
        var evaluations = 0
        var contained = 0
        var mismatchCount = 0
        var mismatches: [String] = []
        var hits: [Int]

        init(days: Int) { hits = Array(repeating: 0, count: days) }

        mutating func compare(_ interval: RecurringInterval, _ reference: GoTimeInterval, _ text: IntervalText, at instant: Instant) {
            let expected = reference.containsTime(instant.clock)
            let actual = interval.contains(instant.date)
            evaluations += 1
            hits[instant.dayIndex] += 1
            if expected { contained += 1 }
            guard actual != expected else { return }
            mismatchCount += 1
            if mismatches.count < 20 {
                mismatches.append(
                    "\(text.testDescription) at \(instant.clock) in \(reference.location): contains says \(actual), Go \(expected)")
            }
        }
    }
}

// MARK: - Random intervals

extension AlertmanagerTimeIntervalTests {
    /// SplitMix64 (Steele, Lea, Flood 2014): the same intervals on every run and platform.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Random intervals Alertmanager's parser accepts, each as Go's ints and as the strings a config would hold.
    struct IntervalGenerator {
        var rng: SplitMix64

        /// Days that a month may lack, or that resolve before its 1st; half the day ranges are drawn from these.
        static let awkwardDays = [
            Bounds(31, 31), Bounds(30, 31), Bounds(-31, -31), Bounds(29, 31), Bounds(-31, -29), Bounds(1, -1), Bounds(29, 29),
            Bounds(30, 30), Bounds(-29, -29), Bounds(-30, -1), Bounds(28, 31), Bounds(27, -1), Bounds(-1, -1),
        ]

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        mutating func oneIn(_ n: Int) -> Bool { int(1...n) == 1 }
        mutating func ordered(_ domain: ClosedRange<Int>) -> Bounds {
            let (a, b) = (int(domain), int(domain))
            return Bounds(min(a, b), max(a, b))
        }

        mutating func next() -> (reference: GoTimeInterval, text: IntervalText) {
            var reference = GoTimeInterval()
            var text = IntervalText()
            if oneIn(2) {
                for _ in 0..<int(1...2) {
                    // Quarter hours, so 00:30 and 12:00 fall on bounds as often as inside them.
                    let a = int(0...95)
                    let range = Bounds(a * 15, int((a + 1)...96) * 15)
                    reference.times.append(range)
                    text.times.append(TimeSpan(Self.hhmm(range.begin), Self.hhmm(range.end)))
                }
            }
            if oneIn(2) {
                for _ in 0..<int(1...2) {
                    let range = ordered(0...6)
                    reference.weekdays.append(range)
                    text.weekdays.append(rangeText(range, names: RecurringInterval.weekdayNames, first: 0))
                }
            }
            if oneIn(3) || reference.times.isEmpty && reference.weekdays.isEmpty {
                for _ in 0..<int(1...3) {
                    let range = dayRange()
                    reference.daysOfMonth.append(range)
                    text.daysOfMonth.append(range.begin == range.end && oneIn(2) ? "\(range.begin):\(range.end)" : range.dayText)
                }
            }
            if oneIn(3) {
                for _ in 0..<int(1...2) {
                    let range = ordered(1...12)
                    reference.months.append(range)
                    text.months.append(rangeText(range, names: RecurringInterval.monthNames, first: 1, numbersToo: true))
                }
            }
            if oneIn(3) {
                let range = ordered(2023...2029)
                reference.years.append(range)
                text.years.append(range.dayText)
            }
            reference.location = AlertmanagerTimeIntervalTests.locations[int(0...4)]
            text.location = reference.location == "UTC" && oneIn(2) ? nil : reference.location
            return (reference, text)
        }

        /// A valid days_of_month range: an awkward one, or any pair DayOfMonthRange.UnmarshalYAML accepts.
        mutating func dayRange() -> Bounds {
            if oneIn(2) { return Self.awkwardDays[int(0...(Self.awkwardDays.count - 1))] }
            while true {
                let candidate = Bounds(int(1...31) * (oneIn(2) ? -1 : 1), int(1...31) * (oneIn(2) ? -1 : 1))
                if GoTimeInterval.alertmanagerAccepts(days: candidate) { return candidate }
            }
        }

        /// "a" or "a:b", bound by bound: the name at `value - first` (now and then capitalised), or, with `numbersToo`,
        /// sometimes the number.
        mutating func rangeText(_ range: Bounds, names: [String], first: Int, numbersToo: Bool = false) -> String {
            let values = range.begin == range.end && oneIn(2) ? [range.begin] : [range.begin, range.end]
            var bounds: [String] = []
            for value in values {
                if numbersToo && oneIn(2) {
                    bounds.append("\(value)")
                } else {
                    let name = names[value - first]
                    bounds.append(oneIn(4) ? name.capitalized : name)
                }
            }
            return bounds.joined(separator: ":")
        }

        static func hhmm(_ minutes: Int) -> String { "\(twoDigits(minutes / 60)):\(twoDigits(minutes % 60))" }
    }
}

private func twoDigits(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
