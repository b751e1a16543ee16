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
    /// At most `limit` code points (Go's runes, as Alertmanager and the services count), the last one an
    /// ellipsis when cut (the services refuse longer fields).
    func clipped(to limit: Int) -> String {
        guard unicodeScalars.count > limit else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.prefix(limit - 1))) + "…"
    }

    /// At most `limit` UTF-16 code units (Telegram counts its 4096 so), cut on a code point.
    func clipped(toUTF16 limit: Int) -> String {
        guard utf16.count > limit else { return self }
        var out = String.UnicodeScalarView()
        var used = 1  // the ellipsis
        for scalar in unicodeScalars {
            used += scalar.utf16.count
            if used > limit { break }
            out.append(scalar)
        }
        return String(out) + "…"
    }
}
