import Foundation

/// A node of the routing tree as written: Alertmanager's `route` keys that concern routing. AlertRelay does
/// not group or repeat (Alertmanager did that before sending), so those keys are refused with a word of why.
public struct RouteConfig: Sendable, Decodable {
    public var receiver: String?
    /// Entries such as `severity="critical"` or `{team=~"db.*", env!="dev"}`; parsed by the loader.
    public var matchers: [String]
    /// Alertmanager's older forms: equality and regex matchers as maps.
    public var match: [String: String]
    public var matchRE: [String: String]
    public var `continue`: Bool
    public var routes: [RouteConfig]
    public var activeTimeIntervals: [String]
    public var muteTimeIntervals: [String]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case receiver, matchers, match, matchRE = "match_re", `continue`, routes
        case activeTimeIntervals = "active_time_intervals", muteTimeIntervals = "mute_time_intervals"
        case groupBy = "group_by", groupWait = "group_wait", groupInterval = "group_interval", repeatInterval = "repeat_interval"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        for key in [CodingKeys.groupBy, .groupWait, .groupInterval, .repeatInterval] where c.contains(key) {
            throw c.invalid(key, "AlertRelay does not group or repeat notifications: Alertmanager already did; remove \(key.rawValue) here")
        }
        try decoder.rejectUnknownKeys(CodingKeys.self)
        receiver = try c.decodeIfPresent(String.self, forKey: .receiver)
        matchers = try c.decode(.matchers, default: [])
        match = try c.decode(.match, default: [:])
        matchRE = try c.decode(.matchRE, default: [:])
        self.continue = try c.decode(.continue, default: false)
        routes = try c.decode(.routes, default: [])
        activeTimeIntervals = try c.decode(.activeTimeIntervals, default: [])
        muteTimeIntervals = try c.decode(.muteTimeIntervals, default: [])
    }
}
