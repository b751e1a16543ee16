import Foundation
import Testing

@testable import AlertRelay

@Suite struct RecurringIntervalTests {
    func at(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    func interval(
        times: [(String, String)] = [], weekdays: [String] = [], days: [String] = [], months: [String] = [], years: [String] = [],
        location: String? = nil
    ) throws -> RecurringInterval {
        try RecurringInterval(
            times: times.map { (start: $0.0, end: $0.1) }, weekdays: weekdays, daysOfMonth: days, months: months, years: years, location: location
        )
    }

    @Test(arguments: [
        // Working hours, Monday to Friday, UTC: start inclusive, end exclusive.
        ("2026-11-30T09:00:00Z", true),  // a Monday, 09:00
        ("2026-11-30T08:59:59Z", false),
        ("2026-11-30T16:59:59Z", true),
        ("2026-11-30T17:00:00Z", false),
        ("2026-12-04T12:00:00Z", true),  // Friday
        ("2026-12-05T12:00:00Z", false),  // Saturday
        ("2026-11-29T12:00:00Z", false),  // Sunday
    ])
    func workingHoursInUTC(_ example: (time: String, inside: Bool)) throws {
        let hours = try interval(times: [("09:00", "17:00")], weekdays: ["monday:friday"])
        #expect(hours.contains(try at(example.time)) == example.inside)
    }

    @Test(arguments: [
        // 09:00-17:00 in Berlin is 08:00-16:00 UTC in winter and 07:00-15:00 UTC in summer.
        ("2026-11-30T08:00:00Z", true),
        ("2026-11-30T07:59:00Z", false),
        ("2026-11-30T16:00:00Z", false),
        ("2026-07-06T07:00:00Z", true),
        ("2026-07-06T15:00:00Z", false),
        // Monday 00:30 in Berlin is Sunday 23:30 UTC: the weekday is Berlin's.
        ("2026-11-29T23:30:00Z", false),
    ])
    func theTimeIsTakenInTheIntervalsLocation(_ example: (time: String, inside: Bool)) throws {
        let hours = try interval(times: [("09:00", "17:00")], weekdays: ["monday:friday"], location: "Europe/Berlin")
        #expect(hours.contains(try at(example.time)) == example.inside)
        let mondayNight = try interval(times: [("00:00", "01:00")], weekdays: ["monday"], location: "Europe/Berlin")
        #expect(mondayNight.contains(try at("2026-11-29T23:30:00Z")))
    }

    @Test func negativeDaysCountFromTheEndOfEachMonth() throws {
        let lastDay = try interval(days: ["-1"])
        #expect(lastDay.contains(try at("2026-02-28T12:00:00Z")))
        #expect(!lastDay.contains(try at("2026-03-30T12:00:00Z")))
        #expect(lastDay.contains(try at("2028-02-29T12:00:00Z")), "a leap year's February")
        let wholeMonth = try interval(days: ["1:-1"])
        #expect(wholeMonth.contains(try at("2026-04-30T00:00:00Z")))
        let firstWeek = try interval(days: ["1:7"], months: ["january", "7:8"], years: ["2026:2027"])
        #expect(firstWeek.contains(try at("2026-01-07T23:59:00Z")))
        #expect(!firstWeek.contains(try at("2026-01-08T00:00:00Z")))
        #expect(firstWeek.contains(try at("2027-08-01T00:00:00Z")))
        #expect(!firstWeek.contains(try at("2028-01-01T00:00:00Z")))
        #expect(!firstWeek.contains(try at("2026-09-01T00:00:00Z")))
    }

    @Test func theWholeDayEndsAt2400() throws {
        let day = try interval(times: [("00:00", "24:00")], weekdays: ["saturday", "sunday"])
        #expect(day.contains(try at("2026-11-29T23:59:59Z")))
        #expect(!day.contains(try at("2026-11-30T00:00:00Z")))
    }

    @Test(arguments: [
        (["times": "09:00-17:00"], "times[0].start_time"),
        (["times": "17:00/09:00"], "times[0]"),
        (["weekdays": "mon:fri"], "weekdays[0]"),
        (["weekdays": "friday:monday"], "weekdays[0]"),
        (["days": "0"], "days_of_month[0]"),
        (["days": "10:5"], "days_of_month[0]"),
        (["months": "13"], "months[0]"),
        (["location": "Mars/Olympus"], "location"),
    ])
    func aBadFieldIsNamed(_ example: ([String: String], String)) {
        let (fields, key) = example
        do {
            let times: [(String, String)] = fields["times"].map { text in
                text.contains("/") ? [(String(text.split(separator: "/")[0]), String(text.split(separator: "/")[1]))] : [(text, "18:00")]
            } ?? []
            _ = try interval(
                times: times, weekdays: fields["weekdays"].map { [$0] } ?? [], days: fields["days"].map { [$0] } ?? [],
                months: fields["months"].map { [$0] } ?? [], location: fields["location"]
            )
            Issue.record("accepted \(fields)")
        } catch let error as RecurringIntervalError {
            #expect(error.key == key, "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
