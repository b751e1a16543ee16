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

/// A template that failed to parse or refers to a template that does not exist, with where.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    /// The config key the template came from, relative to its sink (`headers.Subject`, `text`), when known.
    public var key: String?
    public var message: String

    public init(key: String? = nil, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.map { "\($0): \(message)" } ?? message }
}

/// A compiled template and the library its partials (`{{> name}}`) come from.
public struct MessageTemplate: Sendable {
    /// The template as written in the config, or `{{> name}}` for a library template.
    public let source: String
    public let format: TemplateFormat
    let template: MustacheTemplate
    let library: MustacheLibrary

    init(source: String, format: TemplateFormat, library: TemplateLibrary) throws(TemplateError) {
        self.source = source
        self.format = format
        self.library = library.mustache[format] ?? MustacheLibrary()
        template = try TemplateLibrary.compile(source, format: format)
        try library.checkPartials(in: source)
    }

    /// Compiles the template a config key holds, or takes the library's default when the key is absent.
    static func compile(
        _ source: String?, key: String, default name: String, format: TemplateFormat, library: TemplateLibrary
    ) throws(TemplateError) -> MessageTemplate {
        guard let source else { return library.named(name, format: format) }
        return try library.template(source, format: format, key: key)
    }

    public func render(_ context: TemplateContext) -> String {
        template.render(context.values, library: library)
    }
}

private struct PlainContent: MustacheContentType {
    func escapeText(_ text: String) -> String { text }
}

struct HTMLContent: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

private struct SlackContent: MustacheContentType {
    func escapeText(_ text: String) -> String { SlackMessage.escape(text) }
}

private struct JSONStringContent: MustacheContentType {
    func escapeText(_ text: String) -> String { JSONEscaping.escape(text) }
}
