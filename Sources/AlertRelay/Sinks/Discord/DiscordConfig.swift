import Foundation

/// Alertmanager's `discord_configs`: a channel's webhook, one embed per notification.
public struct DiscordConfig: Sendable, Decodable {
    public var webhookURL: SecretRef
    public var title: String?
    public var message: String?
    /// Plain message text above the embed (where `@here` or a role's mention goes), the webhook's name and avatar.
    public var content: String?
    public var username: String?
    public var avatarURL: String?
    public var httpConfig: HTTPClientConfig?
    public var options: SinkOptions

    enum CodingKeys: String, CodingKey, CaseIterable {
        case webhookURL = "webhook_url", webhookURLFile = "webhook_url_file", title, message, httpConfig = "http_config"
        case content, username, avatarURL = "avatar_url"
    }

    /// Alertmanager's default: resolved notifications too. Discord allows a few messages a second per webhook.
    static let defaults = SinkOptions(sendResolved: true, timeout: .seconds(10), maxConcurrency: 1, rateLimit: 2)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        webhookURL = try c.secret(.webhookURL, orFile: .webhookURLFile)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        content = try c.decodeIfPresent(String.self, forKey: .content)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        avatarURL = try c.decodeIfPresent(String.self, forKey: .avatarURL)
        httpConfig = try c.decodeIfPresent(HTTPClientConfig.self, forKey: .httpConfig)
    }
}

extension ConfigResolver {
    mutating func resolve(discord config: DiscordConfig, at path: String) -> APISink.Settings? {
        guard let url = url(config.webhookURL, at: path, fileKey: "webhook_url_file"),
            let title = apiTemplate(config.title, key: "title", default: "{{> title}}", at: path),
            let message = apiTemplate(config.message, key: "message", default: DiscordMessage.defaultMessage, at: path),
            let content = apiTemplate(config.content, key: "content", default: "", at: path)
        else { return nil }
        let identity = (username: config.username, avatarURL: config.avatarURL.flatMap(TemplateContext.webURL))
        let http = httpHeaders(config.httpConfig, at: path)
        return APISink.Settings(
            service: "discord", url: url, headers: http.headers, timeout: config.options.timeout.duration, tls: http.tls,
            message: { DiscordMessage(title: title, message: message, content: content, identity: identity, delivery: $0).body }
        )
    }
}
