import Foundation

/// The config file as written: Alertmanager's vocabulary where the concepts are shared (`route`,
/// `receivers`, `send_resolved`, durations like `5m`), plus AlertRelay's own sections (`server`, `storage`,
/// `sources`, `dedup`, `retry`, `admin`). ``ConfigLoader`` checks it and resolves its secrets.
public struct ConfigFile: Sendable, Decodable {
    /// Alertmanager's `global`: receivers' defaults.
    public var global: GlobalConfig
    public var server: ServerConfig
    public var storage: StorageConfig
    public var sources: [String: SourceConfig]
    public var route: RouteConfig
    public var receivers: [ReceiverConfig]
    public var dedup: DedupConfig
    public var retry: RetryConfig
    public var admin: AdminConfig
    /// Template files (globs allowed), relative to the config file, as Alertmanager's `templates`.
    public var templates: [String]
    /// Named periods for routes' `active_time_intervals` and `mute_time_intervals`; Alertmanager's older
    /// top-level `mute_time_intervals` is read into the same list.
    public var timeIntervals: [NamedTimeIntervalConfig]
    /// Alertmanager's `inhibit_rules`, present: accepted (a pasted config loads) and ignored with a warning,
    /// since Alertmanager inhibits before it sends.
    public var hasInhibitRules: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case global, server, storage, sources, route, receivers, dedup, retry, admin, templates
        case timeIntervals = "time_intervals", muteTimeIntervals = "mute_time_intervals", inhibitRules = "inhibit_rules"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        global = try c.decode(.global, default: GlobalConfig())
        server = try c.decode(.server, default: ServerConfig())
        storage = try c.decode(.storage, default: StorageConfig())
        sources = try c.decode([String: SourceConfig].self, forKey: .sources)
        route = try c.decode(RouteConfig.self, forKey: .route)
        receivers = try c.decode([ReceiverConfig].self, forKey: .receivers)
        dedup = try c.decode(.dedup, default: DedupConfig())
        retry = try c.decode(.retry, default: RetryConfig())
        admin = try c.decode(.admin, default: AdminConfig())
        templates = try c.decode(.templates, default: [])
        timeIntervals = try c.decode(.timeIntervals, default: []) + c.decode(.muteTimeIntervals, default: [])
        hasInhibitRules = c.contains(.inhibitRules)
    }
}
