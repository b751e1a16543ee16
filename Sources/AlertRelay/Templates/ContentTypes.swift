import Foundation
import Mustache

/// How a template's values are escaped for where its output goes (TemplateFormat picks one).
struct PlainContent: MustacheContentType {
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

struct SlackContent: MustacheContentType {
    func escapeText(_ text: String) -> String { SlackMessage.escape(text) }
}

struct JSONStringContent: MustacheContentType {
    func escapeText(_ text: String) -> String { JSONEscaping.escape(text) }
}
