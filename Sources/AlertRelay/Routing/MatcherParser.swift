/// Alertmanager 0.25's matcher parser (`pkg/labels/parse.go`), rule for rule, so that a `matchers` entry
/// means here what it means there, edge cases included:
/// - one `{` at the start and one `}` at the end are dropped, each on its own (`a=b}` is `a=b`; `{}` is no
///   matcher at all);
/// - the rest splits at commas outside double quotes; an empty piece between two commas is an error;
/// - each piece is `name op value` with spaces allowed around the operator, the name Prometheus' characters
///   and `:`, the operator the longest of `=~ = != !~` that fits;
/// - the value, quoted or not, is unescaped: `\n` a newline, `\"` and `\\` themselves, any other `\x` kept as
///   written (so `\d` reaches the regular expression); a lone `"` inside it is an error.
enum MatcherParser {
    static func parse(_ text: String) throws(MatcherError) -> [Matcher] {
        var input = Substring(text)
        if input.hasPrefix("{") { input = input.dropFirst() }
        if input.hasSuffix("}") { input = input.dropLast() }

        var tokens: [String] = []
        var token = ""
        var insideQuotes = false
        var escaped = false
        for character in input.unicodeScalars {
            switch character {
            case ",":
                if !insideQuotes {
                    tokens.append(token)
                    token = ""
                    continue
                }
            case "\"":
                if !escaped { insideQuotes.toggle() } else { escaped = false }
            case "\\":
                escaped.toggle()
            default:
                escaped = false
            }
            token.unicodeScalars.append(character)
        }
        let last = trimmed(token)
        if !last.isEmpty { tokens.append(last) }
        return try tokens.map { token throws(MatcherError) in try matcher(token) }
    }

    /// Go's `\s`: space, tab, newline, carriage return, form feed (and vertical tab).
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" || scalar == "\u{0B}"
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, isSpace(first) || first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) || last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$`, then the value unescaped.
    private static func matcher(_ token: String) throws(MatcherError) -> Matcher {
        var rest = Substring(token).unicodeScalars
        func bad() -> MatcherError { MatcherError("bad matcher format: \(token)") }
        while let first = rest.first, isSpace(first) { rest.removeFirst() }
        var name = String.UnicodeScalarView()
        while let first = rest.first, first == "_" || first == ":" || (first.isASCII && (first.properties.isAlphabetic || (name.isEmpty ? false : ("0"..."9").contains(first)))) {
            name.append(first)
            rest.removeFirst()
        }
        guard !name.isEmpty else { throw bad() }
        while let first = rest.first, isSpace(first) { rest.removeFirst() }
        let remainder = String(String.UnicodeScalarView(rest))
        guard let op = [Matcher.Operator.matchesRegex, .equal, .notEqual, .notMatchesRegex].first(where: { remainder.hasPrefix($0.rawValue) }) else {
            throw bad()
        }
        var raw = Substring(remainder.dropFirst(op.rawValue.count)).unicodeScalars
        while let first = raw.first, isSpace(first) { raw.removeFirst() }
        while let last = raw.last, isSpace(last) { raw.removeLast() }
        let shown = String(String.UnicodeScalarView(raw))

        var expectTrailingQuote = false
        if raw.first == "\"" {
            raw.removeFirst()
            expectTrailingQuote = true
        }
        var value = String.UnicodeScalarView()
        var escaped = false
        var index = raw.startIndex
        while index < raw.endIndex {
            let scalar = raw[index]
            let isLast = raw.index(after: index) == raw.endIndex
            defer { index = raw.index(after: index) }
            if escaped {
                escaped = false
                switch scalar {
                case "n": value.append("\n")
                case "\"", "\\": value.append(scalar)
                default:
                    value.append("\\")
                    value.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\\":
                if !isLast {
                    escaped = true
                } else {
                    value.append("\\")
                }
            case "\"":
                guard expectTrailingQuote, isLast else {
                    throw MatcherError("matcher value contains unescaped double quote: \(shown)")
                }
                expectTrailingQuote = false
            default:
                value.append(scalar)
            }
        }
        if expectTrailingQuote { throw MatcherError("matcher value contains unescaped double quote: \(shown)") }
        return try Matcher(name: String(name), op: op, value: String(value))
    }
}
