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
        guard Self.isMatcherName(name) else { throw MatcherError("invalid label name \"\(name)\"") }
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

    /// Parses one entry of a `matchers` list exactly as Alertmanager 0.25 does (``MatcherParser``).
    public static func parse(_ text: String) throws(MatcherError) -> [Matcher] {
        try MatcherParser.parse(text)
    }

    /// A matcher's label name as Alertmanager's parser takes it: Prometheus' characters and `:`.
    static func isMatcherName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

public struct MatcherError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
