import Foundation

/// Alertmanager's templates are Go's `text/template`; AlertRelay's are Mustache. Pasted unchanged, a Go
/// template would still parse as Mustache and render its fields as nothing (`"[{{ .Status }}] ..."` sent as
/// `"[] "`), so it is refused with the Mustache to write instead.
enum GoTemplateSyntax {
    /// Go actions Mustache has no use for: a field (`.Status`), a keyword action, a `{{-` trim marker.
    private static var action: Regex<(Substring, Substring)> { /\{\{-?\s*(\.[A-Za-z_][A-Za-z0-9_.]*|if\s|else\b|end\b|range\s|with\s|template\s|define\s|block\s)[^}]*\}\}/ }

    /// Why `text` is a Go template, with the Mustache equivalent; nil when it is not one.
    static func problem(in text: String) -> String? {
        guard let match = text.firstMatch(of: action) else { return nil }
        let line = text[..<match.range.lowerBound].count(where: { $0 == "\n" }) + 1
        let tag = String(match.output.0)
        return "line \(line): \(tag) is Go template syntax (Alertmanager's); AlertRelay's templates are Mustache: \(hint(for: String(match.output.1)))"
    }

    private static func hint(for head: String) -> String {
        let word = head.trimmingCharacters(in: .whitespaces)
        if word.hasPrefix(".") {
            let field = word.dropFirst().split(separator: ".").map(String.init)
            let mustache = field.enumerated().map { index, part in
                index == 0 ? mustacheName(part) : part
            }.joined(separator: ".")
            if ["alerts", "firingAlerts", "resolvedAlerts"].contains(mustache) {
                return "write {{#\(mustache)}}...{{/\(mustache)}} to repeat for each alert"
            }
            return "write {{\(mustache)}}"
        }
        switch word {
        case "if", "with": return "write {{#name}}...{{/name}} (shown when name is set or true) and {{^name}}...{{/name}} for else"
        case "else", "end": return "sections end with {{/name}}; {{^name}} is the else"
        case "range": return "write {{#alerts}}...{{/alerts}} to repeat for each alert"
        case "template", "define", "block": return "include a template file with {{> name}} (files listed under templates:)"
        default: return "see the README, section Templates, for the data a template sees"
        }
    }

    /// Go's exported field names, as AlertRelay's context spells them: `Status` is `status`,
    /// `CommonLabels` is `commonLabels`, `ExternalURL` is `externalURL`.
    private static func mustacheName(_ goName: String) -> String {
        if goName == "ExternalURL" { return "externalURL" }
        if goName == "GroupKey" { return "groupKey" }
        guard let first = goName.first else { return goName }
        return first.lowercased() + goName.dropFirst()
    }
}
