import Foundation

/// A Bot API `sendMessage` request (core.telegram.org/bots/api#sendmessage). Telegram answers a flood with
/// HTTP 429 and `parameters.retry_after` (seconds) in the JSON body, which is honoured.
struct TelegramMessage: Encodable {
    /// Telegram's limit on a message's text.
    static let maxText = 4096

    /// The default message, in Telegram's HTML subset (b, i, a, code): firing and resolved alerts apart.
    static let defaultMessage = """
        <b>{{> title}}</b>
        {{#alertSections}}

        <i>{{heading}}:</i>
        {{#alerts}}
        {{#firing}}🔥{{/firing}}{{^firing}}✅{{/firing}} <b>{{summary}}</b>{{#severity}} ({{.}}){{/severity}}
        {{#description}}
        {{.}}
        {{/description}}
        {{#links}}<a href="{{url}}">{{label}}</a>{{^last()}} · {{/last()}}{{/links}}
        {{/alerts}}
        {{/alertSections}}
        """

    /// The default for any other `parse_mode`: plain text.
    static let defaultPlainMessage = """
        {{> title}}
        {{#alertSections}}

        {{heading}}:
        {{#alerts}}
        {{#firing}}🔥{{/firing}}{{^firing}}✅{{/firing}} {{summary}}{{#severity}} ({{.}}){{/severity}}
        {{#description}}
        {{.}}
        {{/description}}
        {{#links}}{{label}}: {{url}}
        {{/links}}
        {{/alerts}}
        {{/alertSections}}
        """

    struct Settings: Sendable {
        var chatID: Int64
        var message: MessageTemplate
        var parseMode: String
        var disableNotification: Bool
    }

    var chatID: Int64
    var text: String
    var parseMode: String?
    var disableNotification: Bool
    /// As Alertmanager sends it: the links in a page do not unfold into preview cards.
    var disableWebPagePreview = true

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id", text, parseMode = "parse_mode", disableNotification = "disable_notification"
        case disableWebPagePreview = "disable_web_page_preview"
    }

    init(_ settings: Settings, delivery: Delivery) {
        let context = TemplateContext(delivery)
        chatID = settings.chatID
        disableNotification = settings.disableNotification
        parseMode = settings.parseMode.isEmpty ? nil : settings.parseMode
        let rendered = settings.message.text(context) ?? "alerts"
        if rendered.utf16.count <= Self.maxText {
            text = rendered
        } else {
            // Cutting markup could leave a tag open, which Telegram refuses: a long group goes as plain text.
            parseMode = nil
            let plain = TemplateLibrary.defaults.named("slack.text", format: .text).render(context)
            text = plain.clipped(toUTF16: Self.maxText)
        }
    }

    var body: [UInt8] { apiJSON(self) }

    struct Answer: Decodable {
        struct Parameters: Decodable {
            var retryAfter: Int?
            enum CodingKeys: String, CodingKey { case retryAfter = "retry_after" }
        }
        var ok: Bool?
        var description: String?
        var parameters: Parameters?
    }

    /// A flood answer's `retry_after` is the wait Telegram asks for; `ok: false` under a 2xx is a failure.
    @Sendable static func judge(_ response: OutboundResponse, _ now: Date) -> DeliveryOutcome? {
        let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body))
        let text = DeliveryOutcome.snippet(response.body)
        if let seconds = answer?.parameters?.retryAfter, seconds >= 0 {
            return .transient(reason: "HTTP \(response.status): \(answer?.description ?? "retry later")", status: response.status, response: text, retryAfter: .seconds(seconds))
        }
        if (200..<300).contains(response.status), answer?.ok == false {
            return .permanent(reason: "Telegram refused: \(answer?.description ?? "ok: false")", status: response.status, response: text)
        }
        return nil
    }
}
