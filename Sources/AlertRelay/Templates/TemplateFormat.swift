import Foundation
import Mustache

/// Where a template's output goes, and so how the values it inserts are escaped. Text written in the template
/// itself is never escaped; only `{{value}}` is (`{{{value}}}` inserts a value as it is).
public enum TemplateFormat: String, Sendable, CaseIterable {
    /// Email subjects and headers, plain-text bodies, Slack's `plain_text` header: nothing escaped.
    case text = "TEXT"
    /// Email HTML: `& < > " '` escaped.
    case html = "HTML"
    /// Slack mrkdwn: `& < >` escaped, so no value can mention `<!channel>` or forge a link.
    case slackMrkdwn = "SLACK_MRKDWN"
    /// A JSON document: values escaped for use inside a JSON string (`"{{labels.instance}}"`).
    case json = "JSON"

    fileprivate var contentType: any MustacheContentType {
        switch self {
        case .text: PlainContent()
        case .html: HTMLContent()
        case .slackMrkdwn: SlackContent()
        case .json: JSONStringContent()
        }
    }

    /// swift-mustache looks content types up by name in a process-wide table; ours are added once.
    static let registered: Void = {
        for format in TemplateFormat.allCases { MustacheContentTypes.register(format.contentType, named: format.rawValue) }
    }()
}
