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
    ])
    func parsesWhatAlertmanagerAccepts(_ example: (text: String, parsed: [String])) throws {
        #expect(try Matcher.parse(example.text).map(\.description) == example.parsed)
    }

    @Test(arguments: [
        ("severity", "expected one of"),
        ("=critical", "expected a label name"),
        ("severity=\"critical", "missing closing quote"),
        ("alertname=~\"(unclosed\"", "invalid regular expression"),
        ("{a=b", "missing closing \"}\""),
        ("a=\"b\" c=d", "expected \",\""),
        ("", "no matcher"),
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
