import Foundation

/// Alertmanager's `slack_config` (incoming webhooks), plus AlertRelay's per-sink limits.
public struct SlackConfig: Sendable, Decodable {
    /// Defaults to `global.slack_api_url`.
    public var apiURL: SecretRef?
    public var channel: String?
    public var username: String?
    public var iconEmoji: String?
    public var iconURL: String?
    public var title: String?
    public var text: String?
    /// AlertRelay's: the template of each alert's section block.
    public var alertText: String?
    public var color: String?
    public var options: SinkOptions

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiURL = "api_url", apiURLFile = "api_url_file", channel, username, iconEmoji = "icon_emoji", iconURL = "icon_url"
        case title, text, alertText = "alert_text", color
    }

    /// Alertmanager's default for Slack: no resolved notifications. Incoming webhooks take about one message a
    /// second, so one at a time at that rate.
    static let defaults = SinkOptions(sendResolved: false, timeout: .seconds(10), maxConcurrency: 1, rateLimit: 1)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiURL = try c.secretIfPresent(.apiURL, orFile: .apiURLFile)
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        channel = try c.decodeIfPresent(String.self, forKey: .channel)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        iconEmoji = try c.decodeIfPresent(String.self, forKey: .iconEmoji)
        iconURL = try c.decodeIfPresent(String.self, forKey: .iconURL)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        alertText = try c.decodeIfPresent(String.self, forKey: .alertText)
        color = try c.decodeIfPresent(String.self, forKey: .color)
    }
}

extension ConfigResolver {
    mutating func resolve(slack: SlackConfig, at path: String) -> SlackSink.Settings? {
        let resolved: String?
        if let own = slack.apiURL {
            resolved = url(own, at: path, fileKey: "api_url_file")
        } else if let shared = global.slackAPIURL {
            resolved = url(shared, at: "global", fileKey: "slack_api_url_file")
        } else {
            report("\(path).api_url", "required here or as global.slack_api_url")
            resolved = nil
        }
        guard let url = resolved else { return nil }
        let options: SlackMessage.Options
        do {
            options = try SlackMessage.Options(
                channel: slack.channel, username: slack.username, iconEmoji: slack.iconEmoji, iconURL: slack.iconURL,
                title: slack.title, text: slack.text, alertText: slack.alertText, color: slack.color, library: templates
            )
        } catch {
            report(error, at: path)
            return nil
        }
        return SlackSink.Settings(url: url, options: options, timeout: slack.options.timeout.duration)
    }
}
