import Foundation

public struct ReceiverConfig: Sendable, Decodable {
    public var name: String
    public var fileConfigs: [FileSinkConfig]
    public var webhookConfigs: [WebhookConfig]
    public var slackConfigs: [SlackConfig]
    public var emailConfigs: [EmailConfig]
    public var pagerdutyConfigs: [PagerDutyConfig]
    public var opsgenieConfigs: [OpsgenieConfig]
    public var msteamsConfigs: [MSTeamsConfig]
    public var discordConfigs: [DiscordConfig]
    public var telegramConfigs: [TelegramConfig]
    /// Overrides the global `retry` for this receiver's deliveries, key by key.
    public var retry: RetryOverride?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, fileConfigs = "file_configs", webhookConfigs = "webhook_configs", slackConfigs = "slack_configs", emailConfigs = "email_configs", retry
        case pagerdutyConfigs = "pagerduty_configs", opsgenieConfigs = "opsgenie_configs", msteamsConfigs = "msteams_configs"
        case discordConfigs = "discord_configs", telegramConfigs = "telegram_configs", msteamsv2Configs = "msteamsv2_configs"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        fileConfigs = try c.decode(.fileConfigs, default: [])
        webhookConfigs = try c.decode(.webhookConfigs, default: [])
        slackConfigs = try c.decode(.slackConfigs, default: [])
        emailConfigs = try c.decode(.emailConfigs, default: [])
        pagerdutyConfigs = try c.decode(.pagerdutyConfigs, default: [])
        opsgenieConfigs = try c.decode(.opsgenieConfigs, default: [])
        // Alertmanager's msteamsv2_configs (Workflows URLs) take the same keys and the same Adaptive Card.
        msteamsConfigs = try c.decode(.msteamsConfigs, default: []) + c.decode(.msteamsv2Configs, default: [])
        discordConfigs = try c.decode(.discordConfigs, default: [])
        telegramConfigs = try c.decode(.telegramConfigs, default: [])
        retry = try c.decodeIfPresent(RetryOverride.self, forKey: .retry)
    }
}
