import CRE2

/// A regular expression with Go's syntax and semantics (RE2, through Debian's libre2). Alertmanager's `=~`
/// compiles `^(?:VALUE)$` and matches it as Go's `MatchString`; ``Matcher`` does the same with this type.
/// The only owner of RE2 handles.
public final class GoRegex: @unchecked Sendable {  // unchecked: the RE2 object is immutable once compiled and RE2 documents matching as thread-safe
    private let handle: OpaquePointer
    public let pattern: String

    /// Compiles `pattern` as Go's `regexp.Compile` would; the error is RE2's message (Go's wording differs).
    public init(_ pattern: String) throws(GoRegexError) {
        // RE2's syntax is Go's but for one escape: `\C` (any byte) exists in RE2 only, and Go refuses it.
        if Self.hasAnyByteEscape(pattern) {
            throw GoRegexError(pattern: pattern, message: "invalid escape sequence: `\\C`")
        }
        var error: UnsafeMutablePointer<CChar>?
        var source = pattern
        let compiled = source.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { alertrelay_re2_compile($0.baseAddress, $0.count, &error) }
        }
        guard let compiled else {
            let message = error.map { String(cString: $0) } ?? "invalid regular expression"
            error.map { alertrelay_re2_free_error($0) }
            throw GoRegexError(pattern: pattern, message: message)
        }
        self.handle = compiled
        self.pattern = pattern
    }

    deinit { alertrelay_re2_free(handle) }

    /// Whether `pattern` holds `\C` as an escape (not an escaped backslash followed by `C`, nor inside a
    /// `\Q...\E` literal).
    static func hasAnyByteEscape(_ pattern: String) -> Bool {
        var escaped = false
        var quoting = false
        for character in pattern.unicodeScalars {
            if escaped {
                escaped = false
                if quoting {
                    if character == "E" { quoting = false }
                } else if character == "Q" {
                    quoting = true
                } else if character == "C" {
                    return true
                }
            } else if character == "\\" {
                escaped = true
            }
        }
        return false
    }

    /// Whether the expression matches somewhere in `text` (its UTF-8 bytes), as Go's `MatchString`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { alertrelay_re2_match(handle, $0.baseAddress, $0.count) == 1 }
        }
    }
}

public struct GoRegexError: Error, Sendable, CustomStringConvertible {
    public var pattern: String
    public var message: String
    public var description: String { "invalid regular expression \"\(pattern)\": \(message)" }
}
