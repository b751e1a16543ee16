import Foundation

/// Alertmanager's `opsgenie_configs`: an alert created while the group fires and closed when it resolves,
/// both by the same alias.
public struct OpsgenieConfig: Sendable, Decodable {
    public struct Responder: Sendable, Decodable {
        public var id: String?
        public var name: String?
        public var username: String?
        /// `team`, `teams`, `user`, `escalation` or `schedule`.
        public var type: String
    }

    public var apiKey: SecretRef?
    public var apiURL: String?
    public var message: String?
    public var description: String?
    public var source: String?
    public var details: [String: String]
    public var entity: String?
    public var responders: [Responder]
    public var actions: String?
    public var tags: String?
    public var note: String?
    public var priority: String?
    public var httpConfig: HTTPClientConfig?
    public var options: SinkOptions

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiKey = "api_key", apiKeyFile = "api_key_file", apiURL = "api_url", message, description, source, details, entity
        case responders, actions, tags, note, priority, updateAlerts = "update_alerts", httpConfig = "http_config"
    }

    /// Alertmanager's default: resolved notifications close the alert.
    static let defaults = SinkOptions(sendResolved: true, timeout: .seconds(10), maxConcurrency: 4)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        apiKey = try c.secretIfPresent(.apiKey, orFile: .apiKeyFile)
        apiURL = try c.decodeIfPresent(String.self, forKey: .apiURL)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        details = try c.decode(.details, default: [:])
        entity = try c.decodeIfPresent(String.self, forKey: .entity)
        responders = try c.decode(.responders, default: [])
        for (index, responder) in responders.enumerated() {
            guard ["team", "teams", "user", "escalation", "schedule"].contains(responder.type) else {
                throw c.invalid(.responders, "responders[\(index)].type is team, teams, user, escalation or schedule")
            }
            guard responder.id != nil || responder.name != nil || responder.username != nil else {
                throw c.invalid(.responders, "responders[\(index)] needs an id, a name or a username")
            }
        }
        actions = try c.decodeIfPresent(String.self, forKey: .actions)
        tags = try c.decodeIfPresent(String.self, forKey: .tags)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        priority = try c.decodeIfPresent(String.self, forKey: .priority)
        if try c.decode(.updateAlerts, default: false) {
            throw c.invalid(.updateAlerts, "true is not supported: AlertRelay creates and closes alerts (false, the default, is)")
        }
        httpConfig = try c.decodeIfPresent(HTTPClientConfig.self, forKey: .httpConfig)
    }
}

extension ConfigResolver {
    mutating func resolve(opsgenie config: OpsgenieConfig, at path: String) -> APISink.Settings? {
        guard let keyRef = config.apiKey ?? global.opsgenieAPIKey else {
            report("\(path).api_key", "required here or as global.opsgenie_api_key")
            return nil
        }
        let base = config.apiURL ?? global.opsgenieAPIURL ?? "https://api.opsgenie.com/"
        func optional(_ source: String?, _ key: String) -> MessageTemplate?? {
            guard let source else { return .some(nil) }
            return apiTemplate(source, key: key, default: "", at: path).map { .some($0) }
        }
        let details = config.details.sorted { $0.key < $1.key }.compactMap { name, source in
            apiTemplate(source, key: "details.\(name)", default: source, at: path).map { (name, $0) }
        }
        let responders = config.responders.enumerated().compactMap { index, responder -> OpsgenieMessage.Templates.Responder? in
            let field = responder.id.map { ("id", $0) } ?? responder.name.map { ("name", $0) } ?? responder.username.map { ("username", $0) }
            guard let (key, source) = field, let value = apiTemplate(source, key: "responders[\(index)].\(key)", default: "", at: path) else { return nil }
            return .init(key: key, value: value, type: responder.type)
        }
        guard let base = url(.value(base), at: path, fileKey: "api_url"),
            let key = secret(keyRef, at: config.apiKey == nil ? "global.opsgenie_api_key" : "\(path).api_key"),
            let message = apiTemplate(config.message, key: "message", default: "{{> title}}", at: path),
            let description = apiTemplate(config.description, key: "description", default: OpsgenieMessage.defaultDescription, at: path),
            let source = apiTemplate(config.source, key: "source", default: "AlertRelay", at: path),
            let entity = optional(config.entity, "entity"), let actions = optional(config.actions, "actions"),
            let tags = optional(config.tags, "tags"), let note = optional(config.note, "note"),
            let priority = optional(config.priority, "priority")
        else { return nil }
        let templates = OpsgenieMessage.Templates(
            message: message, description: description, source: source, details: details, entity: entity, responders: responders,
            actions: actions, tags: tags, note: note, priority: priority
        )
        let http = httpHeaders(config.httpConfig, at: path)
        let root = base.hasSuffix("/") ? base : base + "/"
        return APISink.Settings(
            service: "opsgenie", url: root + "v2/alerts",
            headers: [("Authorization", "GenieKey \(String(decoding: key.bytes, as: UTF8.self))")] + http.headers,
            timeout: config.options.timeout.duration, tls: http.tls,
            message: { OpsgenieMessage.body(templates, delivery: $0) },
            endpoint: { delivery in
                delivery.notification.status == .firing
                    ? root + "v2/alerts" : root + "v2/alerts/\(OpsgenieMessage.alias(delivery.notification))/close?identifierType=alias"
            }
        )
    }
}
