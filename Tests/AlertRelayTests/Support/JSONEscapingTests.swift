import Foundation
import Testing

@testable import AlertRelay

/// The one JSON string escaper: what every JSON AlertRelay writes goes through.
@Suite struct JSONEscapingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("say \"hi\"", #"say \"hi\""#),
        (#"C:\path"#, #"C:\\path"#),
        ("a\nb\r\tc", #"a\nb\r\tc"#),
        ("nul\u{0}bell\u{7}esc\u{1b}", #"nul\u0000bell\u0007esc\u001b"#),
        ("line\u{2028}para\u{2029}end", #"line\u2028para\u2029end"#),
        ("€ and 🔥 and \u{2027}", "€ and 🔥 and \u{2027}"),
    ])
    func escapes(_ example: (text: String, escaped: String)) {
        #expect(JSONEscaping.escape(example.text) == example.escaped)
    }

    /// The payload writer (webhook bodies, stored shares) escapes as the rest does, U+2028 included, and what
    /// it writes reads back unchanged.
    @Test func thePayloadWriterUsesTheSameEscaping() throws {
        let value = "first\u{2028}second \"quoted\" \u{1b}[31m"
        let notification = AlertNotification(
            status: .firing, groupKey: "g", alerts: [Alert(status: .firing, labels: ["alertname": value], startsAt: Timestamp(seconds: 1_795_980_000))]
        )
        let bytes = notification.jsonBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(JSONEscaping.escape(value)))
        #expect(!text.unicodeScalars.contains("\u{2028}"))
        #expect(try JSONDecoder().decode(AlertNotification.self, from: Data(bytes)).alerts.first?.labels["alertname"] == value)
    }
}
