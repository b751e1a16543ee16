import Foundation

/// A Discord webhook execution (discord.com/developers/docs/resources/webhook#execute-webhook) with one embed,
/// as Alertmanager sends it: title, description, and red, green or grey by status. Discord answers a rate
/// limit with 429 and `Retry-After`, which the shared rule honours.
struct DiscordMessage: Encodable {
    /// Discord's limits on an embed's title and description.
    static let maxTitle = 256
    static let maxDescription = 4096
    static let maxContent = 2000

    static let defaultMessage = """
        {{#alertSections}}
        **{{heading}}**
        {{#alerts}}
        {{#firing}}🔥{{/firing}}{{^firing}}✅{{/firing}} **{{summary}}**{{#severity}} ({{.}}){{/severity}}
        {{#description}}
        {{.}}
        {{/description}}
        {{#links}}[{{label}}]({{url}}){{^last()}} · {{/last()}}{{/links}}
        {{/alerts}}
        {{/alertSections}}
        """

    struct Embed: Encodable {
        var title: String
        var description: String
        var color: Int
    }

    var content: String?
    var username: String?
    var avatarURL: String?
    var embeds: [Embed]

    enum CodingKeys: String, CodingKey {
        case content, username, avatarURL = "avatar_url", embeds
    }

    init(
        title: MessageTemplate, message: MessageTemplate, content: MessageTemplate, identity: (username: String?, avatarURL: String?),
        delivery: Delivery
    ) {
        let context = TemplateContext(delivery)
        self.content = content.text(context)?.clipped(to: Self.maxContent)
        username = identity.username
        avatarURL = identity.avatarURL
        // Alertmanager's colours: red firing, green resolved.
        let color = delivery.notification.status == .firing ? 0x992D22 : 0x2ECC71
        embeds = [
            Embed(
                title: (title.text(context) ?? "alerts").clipped(to: Self.maxTitle),
                description: (message.text(context) ?? "").clipped(to: Self.maxDescription), color: color
            )
        ]
    }

    var body: [UInt8] { apiJSON(self) }
}
