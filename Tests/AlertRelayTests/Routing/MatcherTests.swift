import Testing

@testable import AlertRelay

@Suite struct MatcherTests {
    @Test(arguments: [
        // Alertmanager's quoted and unquoted forms, braces, several matchers in one entry.
        ("severity=\"critical\"", ["severity=\"critical\""]),
        ("severity=critical", ["severity=\"critical\""]),
        ("  severity = critical  ", ["severity=\"critical\""]),
        ("alertname=~\"LiteLLM.*\"", ["alertname=~\"LiteLLM.*\""]),
        ("{team!~\"db|infra\", env!=dev}", ["team!~\"db|infra\"", "env!=\"dev\""]),
        ("a=\"x, y\",b=\"\"", ["a=\"x, y\"", "b=\"\""]),
        ("summary=disk full", ["summary=\"disk full\""]),
        ("msg=\"say \\\"hi\\\"\"", ["msg=\"say \\\"hi\\\"\""]),
        ("instance=~\"db\\\\d+:9100\"", ["instance=~\"db\\\\d+:9100\""]),
        // Alertmanager 0.25's edge cases, each checked with its amtool check-config.
        ("{a=b", ["a=\"b\""]),
        ("a=b}", ["a=\"b\""]),
        ("{}", []),
        ("", []),
        ("a=b,", ["a=\"b\""]),
        ("a=x\\\\y", ["a=\"x\\\\y\""]),
        ("a=x\\\"y", ["a=\"x\\\"y\""]),
        ("a:b=c", ["a:b=\"c\""]),
        ("a=\"x\\n\"", ["a=\"x\\n\""]),
        ("a=x\\", ["a=\"x\\\\\""]),
    ])
    func parsesWhatAlertmanagerAccepts(_ example: (text: String, parsed: [String])) throws {
        #expect(try Matcher.parse(example.text).map(\.description) == example.parsed)
    }

    @Test func anUnquotedValueIsUnescapedAsAlertmanagerDoes() throws {
        #expect(try Matcher.parse("a=x\\\\y").first?.value == "x\\y")
        #expect(try Matcher.parse("a=x\\\"y").first?.value == "x\"y")
        #expect(try Matcher.parse("a=~x\\d").first?.value == "x\\d", "an escape Alertmanager does not know is kept for the regex")
    }

    @Test(arguments: [
        ("severity", "bad matcher format: severity"),
        ("=critical", "bad matcher format: =critical"),
        ("1a=b", "bad matcher format: 1a=b"),
        ("a=b,,c=d", "bad matcher format: "),
        ("severity=\"critical", "matcher value contains unescaped double quote: \"critical"),
        ("a=b\"", "matcher value contains unescaped double quote: b\""),
        ("alertname=~\"(unclosed\"", "invalid regular expression"),
        ("a=\"b\" c=d", "matcher value contains unescaped double quote: \"b\" c=d"),
    ])
    func refusesWhatItCannotRead(_ example: (text: String, message: String)) {
        #expect(throws: MatcherError.self) { try Matcher.parse(example.text) }
        do {
            _ = try Matcher.parse(example.text)
        } catch {
            #expect(error.description.contains(example.message), "\(error.description)")
        }
    }

    @Test(arguments: [
        // (matcher, labels, matches): regexes are anchored, a missing label is the empty string.
        ("alertname=~\"LiteLLM\"", ["alertname": "LiteLLMDown"], false),
        ("alertname=~\"LiteLLM.*\"", ["alertname": "LiteLLMDown"], true),
        ("alertname=~\"Down\"", ["alertname": "LiteLLMDown"], false),
        ("alertname=~\"LiteLLM(Down|Unhealthy)\"", ["alertname": "LiteLLMUnhealthy"], true),
        ("alertname!~\"LiteLLM.*\"", ["alertname": "NodeDown"], true),
        ("team=\"\"", [:], true),
        ("team=\"\"", ["team": "db"], false),
        ("team!=\"\"", [:], false),
        ("team=~\".*\"", [:], true),
        ("team=~\".+\"", [:], false),
        ("team!~\"db\"", [:], true),
        ("severity!=critical", ["severity": "warning"], true),
        ("severity!=critical", ["severity": "critical"], false),
        ("severity=critical", ["severity": "Critical"], false),
        // Go's `.` excludes a newline (amtool routes this to the default receiver); (?s) lets it in.
        ("description=~\"a.b\"", ["description": "a\nb"], false),
        ("description=~\"(?s)a.b\"", ["description": "a\nb"], true),
    ])
    func matchesWithAlertmanagersSemantics(_ example: (matcher: String, labels: [String: String], matches: Bool)) throws {
        let matcher = try #require(try Matcher.parse(example.matcher).first)
        #expect(matcher.matches(example.labels) == example.matches)
    }

    @Test func labelValuesAreComparedByteForByteAsGoDoes() throws {
        let kelvin = try Matcher(name: "unit", op: .notEqual, value: "K")
        #expect(kelvin.matches(["unit": "\u{212A}"]), "U+212A KELVIN SIGN is not the letter K")
        let composed = try Matcher(name: "city", op: .equal, value: "Z\u{FC}rich")
        #expect(!composed.matches(["city": "Zu\u{308}rich"]), "NFD is not NFC")
        #expect(composed.matches(["city": "Z\u{FC}rich"]))
    }
}
