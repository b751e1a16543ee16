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
        /// Replace the generated header / fallback text / colour.
        public var title: String?
        public var text: String?
        public var color: String?

        public init(
            channel: String? = nil, username: String? = nil, iconEmoji: String? = nil, iconURL: String? = nil,
            title: String? = nil, text: String? = nil, color: String? = nil
        ) {
            self.channel = channel
            self.username = username
            self.iconEmoji = iconEmoji
            self.iconURL = iconURL
            self.title = title
            self.text = text
            self.color = color
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

    public init(_ notification: Notification, options: Options = Options()) {
        let counts = notification.counts
        let name = notification.commonLabels["alertname"] ?? notification.groupLabels["alertname"] ?? "alerts"
        let state = notification.status == .firing ? "FIRING:\(counts.firing)" : "RESOLVED"
        let title = options.title ?? "[\(state)] \(name)"

        var blocks = [Block(type: "header", text: Text(type: "plain_text", text: Self.clip(title, to: Self.maxHeaderText)), elements: nil)]
        let room = Self.maxBlocks - blocks.count - 1  // keep one for the "and N more" line
        let shown = notification.alerts.count <= room + 1 ? notification.alerts : Array(notification.alerts.prefix(room))
        for alert in shown {
            blocks.append(Block(type: "section", text: Text(type: "mrkdwn", text: Self.section(for: alert)), elements: nil))
        }
        if shown.count < notification.alerts.count {
            let more = notification.alerts.count - shown.count
            blocks.append(Block(type: "context", text: nil, elements: [Text(type: "mrkdwn", text: "…and \(more) more alerts in this group")]))
        }

        channel = options.channel
        username = options.username
        iconEmoji = options.iconEmoji
        iconURL = options.iconURL
        text = Self.clip(options.text ?? Self.fallback(title: title, notification), to: Self.maxSectionText)
        attachments = [Attachment(color: options.color ?? Self.color(for: notification), fallback: text, blocks: blocks)]
    }

    /// Slack mrkdwn treats `&`, `<` and `>` as control characters: every value from an alert is escaped.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func color(for notification: Notification) -> String {
        if notification.status == .resolved { return "#2eb886" }
        let severities = Set(notification.alerts.filter { $0.status == .firing }.compactMap { $0.labels["severity"]?.lowercased() })
        if severities.contains("critical") || severities.contains("page") { return "#a30200" }
        if severities.contains("warning") { return "#daa038" }
        return "#439fe0"
    }

    static func section(for alert: Alert) -> String {
        let summary = alert.annotations["summary"] ?? alert.annotations["description"] ?? alert.labels["alertname"] ?? "alert"
        var lines = ["\(alert.status == .firing ? ":red_circle:" : ":large_green_circle:") *\(escape(summary))*"]
        if let severity = alert.labels["severity"] { lines.append("*Severity:* \(escape(severity))") }
        if let description = alert.annotations["description"], alert.annotations["summary"] != nil {
            lines.append(escape(description))
        }
        let shownLabels = alert.labels.filter { !["alertname", "severity"].contains($0.key) }.sorted { $0.key < $1.key }
        if !shownLabels.isEmpty {
            lines.append(shownLabels.map { "`\(escape($0.key))=\(escape($0.value))`" }.joined(separator: " "))
        }
        var links: [String] = []
        if let runbook = alert.annotations["runbook_url"], let link = link(runbook, "Runbook") { links.append(link) }
        if let link = link(alert.generatorURL, "Source") { links.append(link) }
        if let silence = alert.silenceURL, let link = link(silence, "Silence") { links.append(link) }
        if let dashboard = alert.dashboardURL, let link = link(dashboard, "Dashboard") { links.append(link) }
        if !links.isEmpty { lines.append(links.joined(separator: " · ")) }
        return clip(lines.joined(separator: "\n"), to: maxSectionText)
    }

    /// `<url|label>` for http(s) URLs only, with the characters that would end the link escaped.
    static func link(_ url: String, _ label: String) -> String? {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { return nil }
        let safe = url.replacingOccurrences(of: "|", with: "%7C").replacingOccurrences(of: ">", with: "%3E")
            .replacingOccurrences(of: "<", with: "%3C")
        return "<\(safe)|\(label)>"
    }

    static func fallback(title: String, _ notification: Notification) -> String {
        let summaries = notification.alerts.prefix(5).map { alert in
            "• " + escape(alert.annotations["summary"] ?? alert.labels["alertname"] ?? "alert")
        }
        let more = notification.alerts.count > 5 ? ["• …and \(notification.alerts.count - 5) more"] : []
        return ([escape(title)] + summaries + more).joined(separator: "\n")
    }

    /// At most `limit` characters, with an ellipsis when cut.
    static func clip(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
