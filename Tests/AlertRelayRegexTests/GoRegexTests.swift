import AlertRelayRegex
import Testing

/// Go's regexp, as Alertmanager compiles a matcher (`^(?:VALUE)$`), where other engines differ.
@Suite struct GoRegexTests {
    func matches(_ value: String, _ text: String) throws -> Bool {
        try GoRegex("^(?:\(value))$").matches(text)
    }

    @Test func matchesAsGoDoes() throws {
        #expect(try !matches("x", "x\n"), "$ is the end of the text, not before a final newline")
        #expect(try !matches("a.b", "a\nb") && matches("(?s)a.b", "a\nb"), ". excludes a newline unless (?s)")
        #expect(try !matches("\\d", "\u{0663}") && matches("\\d", "3"), "\\d is ASCII only")
        #expect(try !matches("\\w+", "día") && matches("\\pL+", "día"), "\\w is ASCII only; \\pL is any letter")
        #expect(try !matches("(?i)ss", "ß"), "case folding is simple, one rune to one rune")
        #expect(try matches("(?i)k", "\u{212A}"), "simple folding does take the Kelvin sign for k")
        #expect(try matches("(?P<team>db)-\\d+", "db-12"))
        #expect(try matches("a{b}", "a{b}"), "braces that are no repeat count are literal")
        #expect(try matches("(?U)d.+", "db"))
    }

    @Test(arguments: ["(?=x)", "(?!x)", "(a)\\1", "x{1001}", "[z-a]", "(", "x**", "\\C", "[\\C]", "\\8", "\\p{Nope}"])
    func refusesWhatGoRefuses(pattern: String) {
        #expect(throws: GoRegexError.self) { try GoRegex("^(?:\(pattern))$") }
    }

    @Test func anEscapedBackslashBeforeCIsNoAnyByteEscape() throws {
        #expect(try matches("\\\\C", "\\C"))
        #expect(try matches("\\Qa\\C\\E", "a\\C"))
    }
}
