import Foundation

/// Alertmanager's `msteams_configs`: a Teams incoming webhook or a Workflows (Power Automate) webhook URL,
/// both of which take the same Adaptive Card message.
public struct MSTeamsConfig: Sendable, Decodable {
    public var webhookURL: SecretRef
    public var title: String?
    public var summary: String?
    public var text: String?
    public var httpConfig: HTTPClientConfig?
    public var options: SinkOptions

    enum CodingKeys: String, CodingKey, CaseIterable {
        case webhookURL = "webhook_url", webhookURLFile = "webhook_url_file", title, summary, text, httpConfig = "http_config"
    }

    /// Alertmanager's default: resolved notifications too.
    static let defaults = SinkOptions(sendResolved: true, timeout: .seconds(10), maxConcurrency: 1, rateLimit: 2)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        webhookURL = try c.secret(.webhookURL, orFile: .webhookURLFile)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        httpConfig = try c.decodeIfPresent(HTTPClientConfig.self, forKey: .httpConfig)
    }
}

extension ConfigResolver {
    mutating func resolve(msteams config: MSTeamsConfig, at path: String) -> APISink.Settings? {
        guard let url = url(config.webhookURL, at: path, fileKey: "webhook_url_file"),
            let title = apiTemplate(config.title, key: "title", default: "{{> title}}", at: path),
            let summary = apiTemplate(config.summary, key: "summary", default: "{{> title}}", at: path),
            let text = apiTemplate(config.text, key: "text", default: MSTeamsMessage.defaultText, at: path)
        else { return nil }
        let http = httpHeaders(config.httpConfig, at: path)
        return APISink.Settings(
            service: "msteams", url: url, headers: http.headers, timeout: config.options.timeout.duration, tls: http.tls,
            message: { MSTeamsMessage(title: title, summary: summary, text: text, delivery: $0).body }, judge: MSTeamsMessage.judge
        )
    }
}
