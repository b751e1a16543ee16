import Foundation

extension ConfigResolver {
    /// A template an on-call service's config key holds, or its default; a broken one is reported under `key`.
    mutating func apiTemplate(_ source: String?, key: String, default fallback: String, format: TemplateFormat = .text, at path: String) -> MessageTemplate? {
        do {
            return try templates.template(source ?? fallback, format: format, key: key)
        } catch {
            report(error, at: path)
            return nil
        }
    }
}

extension MessageTemplate {
    /// The rendering, trimmed; nil when that leaves nothing.
    func text(_ context: TemplateContext) -> String? {
        let text = render(context).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

extension String {
    /// At most `limit` characters, the last one an ellipsis when cut (the services refuse longer fields).
    func clipped(to limit: Int) -> String {
        count <= limit ? self : String(prefix(limit - 1)) + "…"
    }
}
