import Foundation

/// A node of the routing tree as written: Alertmanager's `route` keys. AlertRelay does not group or repeat
/// (Alertmanager did that before sending), so `group_by`, `group_wait`, `group_interval` and `repeat_interval`
/// are accepted, so that a route pastes unchanged, and ignored with one warning per file.
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
    /// The grouping keys this node sets, which AlertRelay ignores (for the warning).
    public var ignoredKeys: [String]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case receiver, matchers, match, matchRE = "match_re", `continue`, routes
        case activeTimeIntervals = "active_time_intervals", muteTimeIntervals = "mute_time_intervals"
        case groupBy = "group_by", groupWait = "group_wait", groupInterval = "group_interval", repeatInterval = "repeat_interval"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ignoredKeys = [CodingKeys.groupBy, .groupWait, .groupInterval, .repeatInterval].filter { c.contains($0) }.map(\.rawValue)
        try decoder.rejectUnknownKeys(CodingKeys.self)
        receiver = try c.decodeIfPresent(String.self, forKey: .receiver)
        matchers = try c.decode(.matchers, default: [])
        // As Alertmanager (Go's YAML into map[string]string): `match: {team: ~}` is the empty value, which
        // matches alerts without the label; a null regular expression is refused.
        match = try c.decode(.match, default: [String: String?]()).mapValues { $0 ?? "" }
        let regexes = try c.decode(.matchRE, default: [String: String?]())
        if let name = regexes.first(where: { $0.value == nil })?.key {
            throw c.invalid(.matchRE, "invalid regexp value for \"\(name)\": null (Alertmanager refuses it too; write \"\" to match alerts without the label)")
        }
        matchRE = regexes.compactMapValues { $0 }
        self.continue = try c.decode(.continue, default: false)
        routes = try c.decode(.routes, default: [])
        activeTimeIntervals = try c.decode(.activeTimeIntervals, default: [])
        muteTimeIntervals = try c.decode(.muteTimeIntervals, default: [])
    }
}
