import Foundation

/// A recurring period (one entry of a named `time_intervals` item), with Alertmanager's `time_interval` fields and semantics: every field given must
/// match; an absent field matches always. `times` end exclusively ("09:00" to "17:00" includes 16:59, not
/// 17:00); weekday, day, month and year ranges include both ends; a negative day counts from the month's end
/// (-1 is its last day). The time is taken in `location` (UTC by default).
public struct RecurringInterval: Sendable, Equatable {
    /// Minutes since midnight, end exclusive.
    public var times: [Range<Int>]
    /// 0 is Sunday, as in Go.
    public var weekdays: [ClosedRange<Int>]
    /// Negative values count from the end of the month.
    public var daysOfMonth: [(start: Int, end: Int)]
    public var months: [ClosedRange<Int>]
    public var years: [ClosedRange<Int>]
    public var location: TimeZone

    public static func == (lhs: RecurringInterval, rhs: RecurringInterval) -> Bool {
        lhs.times == rhs.times && lhs.weekdays == rhs.weekdays && lhs.months == rhs.months && lhs.years == rhs.years
            && lhs.location == rhs.location && lhs.daysOfMonth.elementsEqual(rhs.daysOfMonth) { $0 == $1 }
    }

    public func contains(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = location
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let weekday = parts.weekday,
            let hour = parts.hour, let minute = parts.minute
        else { return false }
        if !times.isEmpty, !times.contains(where: { $0.contains(hour * 60 + minute) }) { return false }
        if !weekdays.isEmpty, !weekdays.contains(where: { $0.contains(weekday - 1) }) { return false }
        if !months.isEmpty, !months.contains(where: { $0.contains(month) }) { return false }
        if !years.isEmpty, !years.contains(where: { $0.contains(year) }) { return false }
        if !daysOfMonth.isEmpty {
            let length = calendar.range(of: .day, in: .month, for: date)?.count ?? 31
            // A day that does not exist this month (31 in November, -31 in February) is simply outside it, as
            // in Alertmanager's ContainsTime; compared bound by bound, never built into a range that could be empty.
            let matched = daysOfMonth.contains { range in
                let start = range.start < 0 ? length + range.start + 1 : range.start
                let end = range.end < 0 ? length + range.end + 1 : range.end
                return start <= day && day <= end
            }
            if !matched { return false }
        }
        return true
    }
}

/// What is wrong with one field of a time interval, and which entry of it.
public struct RecurringIntervalError: Error, Sendable {
    /// Relative to the interval: `weekdays[1]`, `times[0].end_time`, `location`.
    public var key: String
    public var message: String
}

extension RecurringInterval {
    static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    ]

    /// Builds an interval from the config's strings, checking each as Alertmanager does.
    public init(
        times: [(start: String, end: String)], weekdays: [String], daysOfMonth: [String], months: [String], years: [String],
        location: String?
    ) throws(RecurringIntervalError) {
        self.times = []
        for (index, time) in times.enumerated() {
            guard let start = Self.minutes(time.start) else {
                throw RecurringIntervalError(key: "times[\(index)].start_time", message: "expected HH:MM from 00:00 to 24:00, got \"\(time.start)\"")
            }
            guard let end = Self.minutes(time.end) else {
                throw RecurringIntervalError(key: "times[\(index)].end_time", message: "expected HH:MM from 00:00 to 24:00, got \"\(time.end)\"")
            }
            guard start < end else {
                throw RecurringIntervalError(key: "times[\(index)]", message: "start_time must be before end_time")
            }
            self.times.append(start..<end)
        }
        self.weekdays = try Self.ranges(weekdays, key: "weekdays") { text in
            Self.weekdayNames.firstIndex(of: text.lowercased())
        }
        self.months = try Self.ranges(months, key: "months") { text in
            if let number = Int(text), (1...12).contains(number) { return number }
            return Self.monthNames.firstIndex(of: text.lowercased()).map { $0 + 1 }
        }
        self.years = try Self.ranges(years, key: "years") { text in Int(text).flatMap { $0 > 0 ? $0 : nil } }
        self.daysOfMonth = []
        for (index, text) in daysOfMonth.enumerated() {
            let bounds = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), let start = bounds.first ?? nil, let end = bounds.last ?? nil,
                [start, end].allSatisfy({ (-31...31).contains($0) && $0 != 0 })
            else {
                throw RecurringIntervalError(key: "days_of_month[\(index)]", message: "expected a day from 1 to 31 or -31 to -1, or a range of them, got \"\(text)\"")
            }
            // Alertmanager's rules: a negative start needs a negative end (the range would hold in long months
            // and not in short ones), and, counting negative days from a 28-day month, the start is not after the end.
            if start < 0, end > 0 {
                throw RecurringIntervalError(key: "days_of_month[\(index)]", message: "the range \"\(text)\" starts from the month's end, so its end must too")
            }
            if (start < 0 ? 28 + start : start) > (end < 0 ? 28 + end : end) {
                throw RecurringIntervalError(key: "days_of_month[\(index)]", message: "the range \"\(text)\" ends before it starts")
            }
            self.daysOfMonth.append((start, end))
        }
        if let location, location != "UTC" {
            let identifier = location == "Local" ? TimeZone.current.identifier : location
            guard let zone = TimeZone(identifier: identifier) else {
                throw RecurringIntervalError(key: "location", message: "unknown time zone \"\(location)\" (expected an IANA name such as Europe/Berlin)")
            }
            self.location = zone
        } else {
            self.location = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        }
    }

    /// "HH:MM" (two digits each, nothing else, as Alertmanager's pattern) as minutes since midnight; "24:00"
    /// is the end of the day.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...24).contains(hours), (0...59).contains(minutes)
        else { return nil }
        let total = hours * 60 + minutes
        return total <= 24 * 60 ? total : nil
    }

    /// `value` or `start:end`, each bound read by `parse`, ranges inclusive.
    static func ranges(
        _ texts: [String], key: String, parse: (String) -> Int?
    ) throws(RecurringIntervalError) -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        for (index, text) in texts.enumerated() {
            let bounds = text.split(separator: ":", omittingEmptySubsequences: false).map { parse(String($0)) }
            guard (1...2).contains(bounds.count), let start = bounds.first ?? nil, let end = bounds.last ?? nil else {
                throw RecurringIntervalError(key: "\(key)[\(index)]", message: "cannot read \"\(text)\"")
            }
            guard start <= end else {
                throw RecurringIntervalError(key: "\(key)[\(index)]", message: "the range \"\(text)\" ends before it starts")
            }
            ranges.append(start...end)
        }
        return ranges
    }
}
