import Foundation

/// Alertmanager's `global` section, read as Alertmanager reads it: defaults for every `email_configs` entry
/// (`smtp_*`), `slack_configs` (`slack_api_url`), `pagerduty_configs` (`pagerduty_url`), `opsgenie_configs`
/// (`opsgenie_api_url`, `opsgenie_api_key`), `telegram_configs` (`telegram_api_url`) and every HTTP sink
/// (`http_config`) that does not set its own. Keys of integrations AlertRelay does not have, and `resolve_timeout` (the sender
/// resolves alerts before AlertRelay sees them), are accepted so a config pastes unchanged, with a warning.
public struct GlobalConfig: Sendable, Decodable {
    public var smtpFrom: String?
    public var smtpHello: String?
    public var smtpSmarthost: String?
    public var smtpAuthUsername: String?
    public var smtpAuthPassword: SecretRef?
    public var smtpRequireTLS: Bool?
    public var slackAPIURL: SecretRef?
    public var httpConfig: HTTPClientConfig?
    public var pagerdutyURL: String?
    public var opsgenieAPIURL: String?
    public var opsgenieAPIKey: SecretRef?
    public var telegramAPIURL: String?
    /// The keys set here that have no effect, for the warning.
    public var ignoredKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case smtpFrom = "smtp_from", smtpHello = "smtp_hello", smtpSmarthost = "smtp_smarthost"
        case smtpAuthUsername = "smtp_auth_username", smtpAuthPassword = "smtp_auth_password"
        case smtpAuthPasswordFile = "smtp_auth_password_file", smtpRequireTLS = "smtp_require_tls"
        case slackAPIURL = "slack_api_url", slackAPIURLFile = "slack_api_url_file", httpConfig = "http_config"
        // Accepted, without effect.
        case resolveTimeout = "resolve_timeout", smtpAuthIdentity = "smtp_auth_identity", smtpAuthSecret = "smtp_auth_secret"
        case pagerdutyURL = "pagerduty_url", opsgenieAPIURL = "opsgenie_api_url", opsgenieAPIKey = "opsgenie_api_key"
        case opsgenieAPIKeyFile = "opsgenie_api_key_file", wechatAPIURL = "wechat_api_url", wechatAPISecret = "wechat_api_secret"
        case wechatAPICorpID = "wechat_api_corp_id", victoropsAPIURL = "victorops_api_url", victoropsAPIKey = "victorops_api_key"
        case victoropsAPIKeyFile = "victorops_api_key_file", telegramAPIURL = "telegram_api_url", webexAPIURL = "webex_api_url"
    }

    static let ignored: [CodingKeys] = [
        .resolveTimeout, .smtpAuthIdentity, .smtpAuthSecret, .wechatAPIURL, .wechatAPISecret, .wechatAPICorpID, .victoropsAPIURL,
        .victoropsAPIKey, .victoropsAPIKeyFile, .webexAPIURL,
    ]

    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        smtpFrom = try c.decodeIfPresent(String.self, forKey: .smtpFrom)
        smtpHello = try c.decodeIfPresent(String.self, forKey: .smtpHello)
        smtpSmarthost = try c.decodeIfPresent(String.self, forKey: .smtpSmarthost)
        smtpAuthUsername = try c.decodeIfPresent(String.self, forKey: .smtpAuthUsername)
        smtpAuthPassword = try c.secretIfPresent(.smtpAuthPassword, orFile: .smtpAuthPasswordFile)
        smtpRequireTLS = try c.decodeIfPresent(Bool.self, forKey: .smtpRequireTLS)
        slackAPIURL = try c.secretIfPresent(.slackAPIURL, orFile: .slackAPIURLFile)
        httpConfig = try c.decodeIfPresent(HTTPClientConfig.self, forKey: .httpConfig)
        pagerdutyURL = try c.decodeIfPresent(String.self, forKey: .pagerdutyURL)
        opsgenieAPIURL = try c.decodeIfPresent(String.self, forKey: .opsgenieAPIURL)
        opsgenieAPIKey = try c.secretIfPresent(.opsgenieAPIKey, orFile: .opsgenieAPIKeyFile)
        telegramAPIURL = try c.decodeIfPresent(String.self, forKey: .telegramAPIURL)
        ignoredKeys = Self.ignored.filter { c.contains($0) }.map(\.rawValue)
    }
}
