import Foundation

/// A Teams message carrying one Adaptive Card (learn.microsoft.com, "Create and send messages" for incoming
/// webhooks and Workflows): the title coloured by status, the alerts in the card's Markdown subset, and a
/// button per link of the first alert. An incoming webhook that was throttled can answer 200 with the failure
/// in its body ("...failed with error: ... HTTP error 429"): that is read as the 429 it is.
struct MSTeamsMessage: Encodable {
    static let defaultText = """
        {{#alertSections}}
        **{{heading}} ({{count}})**

        {{#alerts}}
        - {{#firing}}🔥{{/firing}}{{^firing}}✅{{/firing}} **{{summary}}**{{#severity}} ({{.}}){{/severity}}{{#description}}: {{.}}{{/description}}{{#links}} [{{label}}]({{url}}){{/links}}
        {{/alerts}}

        {{/alertSections}}
        """

    struct Attachment: Encodable {
        var contentType = "application/vnd.microsoft.card.adaptive"
        var content: Card
    }

    struct Card: Encodable {
        var schema = "http://adaptivecards.io/schemas/adaptive-card.json"
        var type = "AdaptiveCard"
        var version = "1.4"
        var fallbackText: String
        var body: [TextBlock]
        var actions: [Action]?
        var msteams = ["width": "Full"]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", type, version, fallbackText, body, actions, msteams
        }
    }

    struct TextBlock: Encodable {
        var type = "TextBlock"
        var text: String
        var wrap = true
        var weight: String?
        var size: String?
        var color: String?
    }

    struct Action: Encodable {
        var type = "Action.OpenUrl"
        var title: String
        var url: String
    }

    var type = "message"
    var summary: String
    var attachments: [Attachment]

    init(title: MessageTemplate, summary: MessageTemplate, text: MessageTemplate, delivery: Delivery) {
        let context = TemplateContext(delivery)
        let heading = title.text(context) ?? "alerts"
        self.summary = summary.text(context) ?? heading
        let firing = delivery.notification.status == .firing
        let links = (context.alert(at: 0)?.values["links"] as? [[String: String]] ?? []).compactMap { link in
            link["url"].map { Action(title: link["label"] ?? "Open", url: $0) }
        }
        let card = Card(
            fallbackText: self.summary,
            body: [
                TextBlock(text: heading, weight: "Bolder", size: "Medium", color: firing ? "Attention" : "Good"),
                TextBlock(text: text.text(context) ?? ""),
            ],
            actions: links.isEmpty ? nil : links
        )
        attachments = [Attachment(content: card)]
    }

    var body: [UInt8] { apiJSON(self) }

    /// "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 ...":
    /// judged as the status it names (408, 425, 429 and 5xx retried), whatever the 200 around it.
    @Sendable static func judge(_ response: OutboundResponse, _ now: Date) -> DeliveryOutcome? {
        let text = DeliveryOutcome.snippet(response.body)
        guard (200..<300).contains(response.status), text.contains("failed with error") else { return nil }
        guard let match = text.firstMatch(of: /HTTP error (\d{3})/), let status = Int(match.output.1) else {
            return .permanent(reason: "Teams refused the message: \(text)", status: response.status, response: text)
        }
        switch DeliveryOutcome.classify(httpStatus: status, response: text) {
        case .transient: return .transient(reason: "Teams answered 200 with HTTP error \(status)", status: response.status, response: text, retryAfter: nil)
        default: return .permanent(reason: "Teams answered 200 with HTTP error \(status)", status: response.status, response: text)
        }
    }
}
