import Foundation

/// A Slack incoming-webhook message for a group of alerts: Block Kit inside a coloured attachment, a plain
/// `text` fallback for notifications, and the limits that keep Slack from refusing it (at most 50 blocks,
/// section text at most 3000 characters, header at most 150).
public struct SlackMessage: Encodable, Sendable {
    public struct Options: Sendable {
        public var channel: String?
        public var username: String?
        public var iconEmoji: String?
        public var iconURL: String?
        /// The header block (plain text).
        public var title: MessageTemplate
        /// The message's `text`: notifications and clients without blocks show it (mrkdwn).
        public var text: MessageTemplate
        /// One section block per alert (mrkdwn).
        public var alert: MessageTemplate
        /// The attachment's colour; by default from the alerts' status and severity.
        public var color: MessageTemplate?

        /// `title`, `text` and `color` are Alertmanager's `slack_config` keys, as Mustache templates;
        /// `alert_text` is AlertRelay's. Absent ones take the library's `slack.*` templates.
        public init(
            channel: String? = nil, username: String? = nil, iconEmoji: String? = nil, iconURL: String? = nil,
            title: String? = nil, text: String? = nil, alertText: String? = nil, color: String? = nil, library: TemplateLibrary = .defaults
        ) throws(TemplateError) {
            self.channel = channel
            self.username = username
            self.iconEmoji = iconEmoji
            self.iconURL = iconURL
            self.title = try .compile(title, key: "title", default: "slack.title", format: .text, library: library)
            self.text = try .compile(text, key: "text", default: "slack.text", format: .slackMrkdwn, library: library)
            self.alert = try .compile(alertText, key: "alert_text", default: "slack.alert", format: .slackMrkdwn, library: library)
            self.color = try color.map { source throws(TemplateError) in try library.template(source, format: .text, key: "color") }
        }

        /// The default message, with nothing set.
        public static let standard = Options(
            title: TemplateLibrary.defaults.named("slack.title", format: .text),
            text: TemplateLibrary.defaults.named("slack.text", format: .slackMrkdwn),
            alert: TemplateLibrary.defaults.named("slack.alert", format: .slackMrkdwn)
        )

        private init(title: MessageTemplate, text: MessageTemplate, alert: MessageTemplate) {
            self.title = title
            self.text = text
            self.alert = alert
        }
    }

    static let maxBlocks = 50
    static let maxSectionText = 3000
    static let maxHeaderText = 150

    struct Text: Encodable, Sendable {
        var type: String
        var text: String
    }

    struct Block: Encodable, Sendable {
        var type: String
        var text: Text?
        var elements: [Text]?
    }

    struct Attachment: Encodable, Sendable {
        var color: String
        var fallback: String
        var blocks: [Block]
    }

    var channel: String?
    var username: String?
    var iconEmoji: String?
    var iconURL: String?
    var text: String
    var attachments: [Attachment]

    enum CodingKeys: String, CodingKey {
        case channel, username, iconEmoji = "icon_emoji", iconURL = "icon_url", text, attachments
    }

    public init(_ delivery: Delivery, options: Options) {
        let notification = delivery.notification
        let context = TemplateContext(delivery)
        let title = Self.clip(Self.oneLine(Self.withoutControls(options.title.render(context))), to: Self.maxHeaderText)

        var blocks = [Block(type: "header", text: Text(type: "plain_text", text: title), elements: nil)]
        // Firing alerts first, then resolved ones under a heading of their own when a group has both.
        let firing = notification.alerts.indices.filter { notification.alerts[$0].status == .firing }
        let resolved = notification.alerts.indices.filter { notification.alerts[$0].status != .firing }
        let parts = firing.isEmpty || resolved.isEmpty
            ? [(heading: String?.none, indices: firing + resolved)]
            : [("*Firing (\(firing.count))*", firing), ("*Resolved (\(resolved.count))*", resolved)]
        var room = Self.maxBlocks - blocks.count - 1  // keep one for the "and N more" line
        var shown = 0
        for part in parts {
            if let heading = part.heading, room > 1 {
                blocks.append(Block(type: "context", text: nil, elements: [Text(type: "mrkdwn", text: heading)]))
                room -= 1
            }
            for index in part.indices {
                let last = shown == context.alertCount - 1
                guard room > 0 || (room == 0 && last), let alert = context.alert(at: index) else { break }
                let text = Self.clip(Self.withoutControls(options.alert.render(alert)).trimmingCharacters(in: .whitespacesAndNewlines), to: Self.maxSectionText)
                blocks.append(Block(type: "section", text: Text(type: "mrkdwn", text: text.isEmpty ? " " : text), elements: nil))
                room -= 1
                shown += 1
            }
        }
        if shown < context.alertCount {
            let more = context.alertCount - shown
            blocks.append(Block(type: "context", text: nil, elements: [Text(type: "mrkdwn", text: "…and \(more) more alerts in this group")]))
        }

        channel = options.channel
        username = options.username
        iconEmoji = options.iconEmoji
        iconURL = options.iconURL
        let text = Self.withoutControls(options.text.render(context)).trimmingCharacters(in: .whitespacesAndNewlines)
        self.text = Self.clip(text.isEmpty ? title : text, to: Self.maxSectionText)
        let color = options.color.map { Self.withoutControls($0.render(context)).trimmingCharacters(in: .whitespacesAndNewlines) } ?? Self.color(for: notification)
        attachments = [Attachment(color: color, fallback: self.text, blocks: blocks)]
    }

    /// Slack mrkdwn treats `&`, `<` and `>` as control characters: every value from an alert is escaped.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The colour of the most severe firing alert, green when all are resolved.
    static func color(for notification: AlertNotification) -> String {
        if notification.status == .resolved { return TemplateContext.color(status: .resolved, severity: nil) }
        let severities = Set(notification.alerts.filter { $0.status == .firing }.compactMap { $0.labels["severity"]?.lowercased() })
        let worst = ["critical", "page", "warning"].first(where: severities.contains)
        return TemplateContext.color(status: .firing, severity: worst)
    }

    /// Text from an alert without control characters (NUL, ESC, DEL, C1), as the email path strips them from
    /// headers: line breaks and tabs stay, they are mrkdwn's own.
    static func withoutControls(_ text: String) -> String {
        let isControl = { (scalar: Unicode.Scalar) in
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7f...0x9f).contains(scalar.value)
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var clean = String.UnicodeScalarView()
        clean.append(contentsOf: text.unicodeScalars.lazy.filter { !isControl($0) })
        return String(clean)
    }

    /// A header is one line: Slack refuses a `plain_text` header with a newline.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// At most `limit` characters, with an ellipsis when cut.
    static func clip(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
