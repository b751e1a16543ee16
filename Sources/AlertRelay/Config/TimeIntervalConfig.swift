import Foundation

/// A named recurring period (Alertmanager's `time_intervals` entry) that routes name in
/// `active_time_intervals` and `mute_time_intervals`.
public struct NamedTimeIntervalConfig: Sendable, Decodable {
    public var name: String
    public var timeIntervals: [TimeIntervalConfig]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, timeIntervals = "time_intervals"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        timeIntervals = try c.decode([TimeIntervalConfig].self, forKey: .timeIntervals)
    }
}

/// One `time_interval`: each field a list of strings, as Alertmanager writes them; checked by the loader.
public struct TimeIntervalConfig: Sendable, Decodable {
    public var times: [(start: String, end: String)]
    public var weekdays: [String]
    public var daysOfMonth: [String]
    public var months: [String]
    public var years: [String]
    public var location: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case times, weekdays, daysOfMonth = "days_of_month", months, years, location
    }

    struct TimeRange: Decodable {
        var startTime: String
        var endTime: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case startTime = "start_time", endTime = "end_time"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            startTime = try c.decode(String.self, forKey: .startTime)
            endTime = try c.decode(String.self, forKey: .endTime)
        }
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        times = try c.decode(.times, default: [TimeRange]()).map { ($0.startTime, $0.endTime) }
        weekdays = try c.decode(.weekdays, default: [])
        daysOfMonth = try c.decode(.daysOfMonth, default: [IntOrString]()).map(\.text)
        months = try c.decode(.months, default: [IntOrString]()).map(\.text)
        years = try c.decode(.years, default: [IntOrString]()).map(\.text)
        location = try c.decodeIfPresent(String.self, forKey: .location)
    }
}

/// A list entry YAML may read as a number or a string (`days_of_month: [1, -1, '1:5']`): kept as text.
public struct IntOrString: Sendable, Decodable {
    public var text: String

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let number = try? c.decode(Int.self) { text = String(number) } else { text = try c.decode(String.self) }
    }
}
