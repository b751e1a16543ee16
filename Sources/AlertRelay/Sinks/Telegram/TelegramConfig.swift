import Foundation

/// Alertmanager's `telegram_configs`: a bot's `sendMessage` to one chat.
public struct TelegramConfig: Sendable, Decodable {
    public var apiURL: String?
    public var botToken: SecretRef
    public var chatID: Int64
    public var message: String?
    public var disableNotifications: Bool
    public var parseMode: String
    public var httpConfig: HTTPClientConfig?
    public var options: SinkOptions

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiURL = "api_url", botToken = "bot_token", botTokenFile = "bot_token_file", chatID = "chat_id", message
        case disableNotifications = "disable_notifications", parseMode = "parse_mode", httpConfig = "http_config"
    }

    /// Alertmanager's default: resolved notifications too. Telegram takes about one message a second in a chat.
    static let defaults = SinkOptions(sendResolved: true, timeout: .seconds(10), maxConcurrency: 1, rateLimit: 1)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        apiURL = try c.decodeIfPresent(String.self, forKey: .apiURL)
        botToken = try c.secret(.botToken, orFile: .botTokenFile)
        chatID = try c.decode(Int64.self, forKey: .chatID)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        disableNotifications = try c.decode(.disableNotifications, default: false)
        parseMode = try c.decode(.parseMode, default: "HTML")
        guard ["HTML", "MarkdownV2", "Markdown", ""].contains(parseMode) else {
            throw c.invalid(.parseMode, "one of HTML, MarkdownV2, Markdown, or \"\" for plain text")
        }
        httpConfig = try c.decodeIfPresent(HTTPClientConfig.self, forKey: .httpConfig)
    }
}

extension ConfigResolver {
    mutating func resolve(telegram config: TelegramConfig, at path: String) -> APISink.Settings? {
        let base = config.apiURL ?? global.telegramAPIURL ?? "https://api.telegram.org"
        guard let base = url(.value(base), at: path, fileKey: "api_url"),
            let token = secret(config.botToken, at: "\(path).bot_token").map({ String(decoding: $0.bytes, as: UTF8.self) }),
            let message = apiTemplate(
                config.message, key: "message", default: config.parseMode == "HTML" ? TelegramMessage.defaultMessage : TelegramMessage.defaultPlainMessage,
                format: config.parseMode == "HTML" ? .html : .text, at: path
            )
        else { return nil }
        // The default message for another parse mode is plain text, sent as such (Markdown would trip on its
        // dots and brackets); a message of the user's own goes with the mode it was written for.
        let parseMode = config.message == nil && config.parseMode != "HTML" ? "" : config.parseMode
        let settings = TelegramMessage.Settings(chatID: config.chatID, message: message, parseMode: parseMode, disableNotification: config.disableNotifications)
        let http = httpHeaders(config.httpConfig, at: path)
        return APISink.Settings(
            service: "telegram", url: base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/bot\(token)/sendMessage",
            headers: http.headers, timeout: config.options.timeout.duration, tls: http.tls,
            message: { TelegramMessage(settings, delivery: $0).body }, judge: TelegramMessage.judge
        )
    }
}
