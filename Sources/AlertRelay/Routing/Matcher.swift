import AlertRelayRegex
import Foundation

/// One label matcher, as Alertmanager writes them: `severity="critical"`, `alertname=~"LiteLLM.*"`,
/// `env!=prod`, `team!~"db|infra"`. Regular expressions are fully anchored, and a label the alert does not
/// have is the empty string, so `team=""` matches alerts without a team and `team=~".*"` matches every alert.
public struct Matcher: Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case matchesRegex = "=~"
        case notMatchesRegex = "!~"
    }

    public let name: String
    public let op: Operator
    public let value: String
    private let regex: GoRegex?

    public init(name: String, op: Operator, value: String) throws(MatcherError) {
        guard Self.isLabelName(name) else { throw MatcherError("invalid label name \"\(name)\"") }
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual:
            regex = nil
        case .matchesRegex, .notMatchesRegex:
            // Exactly what Alertmanager compiles, with Go's engine (RE2): same syntax accepted, same matches.
            do {
                regex = try GoRegex("^(?:\(value))$")
            } catch {
                throw MatcherError("invalid regular expression \"\(value)\": \(error.message)")
            }
        }
    }

    public func matches(_ labels: [String: String]) -> Bool {
        let actual = labels[name] ?? ""
        switch op {
        // Byte for byte, as Go compares strings: Swift's == would take U+212A KELVIN SIGN for "K", and NFC and
        // NFD spellings of a value for each other.
        case .equal: return actual.utf8.elementsEqual(value.utf8)
        case .notEqual: return !actual.utf8.elementsEqual(value.utf8)
        case .matchesRegex: return regex?.matches(actual) == true
        case .notMatchesRegex: return regex?.matches(actual) != true
        }
    }

    /// `name="value"`, quoted and escaped as Alertmanager prints it.
    public var description: String { Self.quoted(name: name, op: op.rawValue, value: value) }

    static func quoted(name: String, op: String, value: String) -> String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\(name)\(op)\"\(escaped)\""
    }

    public static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Parses one entry of a `matchers` list: one matcher or several separated by commas, optionally inside
    /// braces (`{severity="critical", team=~"db.*"}`); values quoted (with `\"`, `\\`, `\n` escapes) or not.
    public static func parse(_ text: String) throws(MatcherError) -> [Matcher] {
        var input = Substring(text.trimmingCharacters(in: .whitespaces))
        if input.hasPrefix("{") {
            guard input.hasSuffix("}") else { throw MatcherError("missing closing \"}\" in \(text)") }
            input = input.dropFirst().dropLast()
        }
        var matchers: [Matcher] = []
        var scanner = MatcherScanner(input)
        while true {
            scanner.skipSpaces()
            if scanner.atEnd { break }
            matchers.append(try scanner.matcher(in: text))
            scanner.skipSpaces()
            if scanner.atEnd { break }
            guard scanner.take(",") else { throw MatcherError("expected \",\" between matchers in \(text)") }
        }
        guard !matchers.isEmpty else { throw MatcherError("no matcher in \"\(text)\"") }
        return matchers
    }
}

public struct MatcherError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

private struct MatcherScanner {
    var rest: Substring
    init(_ text: Substring) { rest = text }

    var atEnd: Bool { rest.isEmpty }

    mutating func skipSpaces() { rest = rest.drop(while: { $0 == " " || $0 == "\t" }) }

    mutating func take(_ prefix: String) -> Bool {
        guard rest.hasPrefix(prefix) else { return false }
        rest = rest.dropFirst(prefix.count)
        return true
    }

    mutating func matcher(in text: String) throws(MatcherError) -> Matcher {
        let name = rest.prefix { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        rest = rest.dropFirst(name.count)
        guard !name.isEmpty else { throw MatcherError("expected a label name in \(text)") }
        skipSpaces()
        // Longest operators first: "=~" before "=".
        guard let op = [Matcher.Operator.matchesRegex, .notMatchesRegex, .notEqual, .equal].first(where: { take($0.rawValue) }) else {
            throw MatcherError("expected one of =, !=, =~, !~ after \(name) in \(text)")
        }
        skipSpaces()
        let value: String
        if take("\"") {
            value = try quoted(in: text)
        } else {
            // Unquoted: up to the next comma, trailing spaces dropped.
            let raw = rest.prefix { $0 != "," }
            rest = rest.dropFirst(raw.count)
            value = String(raw).trimmingCharacters(in: .whitespaces)
            if value.contains("\"") { throw MatcherError("unbalanced quote in \(text)") }
        }
        return try Matcher(name: String(name), op: op, value: value)
    }

    private mutating func quoted(in text: String) throws(MatcherError) -> String {
        var value = ""
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "\"":
                return value
            case "\\":
                guard let escaped = rest.first else { throw MatcherError("unfinished escape in \(text)") }
                rest = rest.dropFirst()
                switch escaped {
                case "n": value.append("\n")
                case "\\", "\"": value.append(escaped)
                default: value += "\\" + String(escaped)  // a regex escape such as \d, kept for the regex
                }
            default:
                value.append(character)
            }
        }
        throw MatcherError("missing closing quote in \(text)")
    }
}
