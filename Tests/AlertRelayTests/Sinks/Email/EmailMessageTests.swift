import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

@Suite struct EmailMessageTests {
    func delivery(_ mutate: (inout AlertNotification) -> Void = { _ in }) throws -> Delivery {
        var notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        mutate(&notification)
        return Delivery(jobID: 9, notificationID: "n-1", source: "am", acceptedAt: Date(), receiver: "oncall", notification: notification, attempt: 1)
    }

    func headers(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        return head.components(separatedBy: "\r\n")
    }

    @Test func untrustedValuesNeverBecomeHeaders() throws {
        let message = try EmailMessage(from: "relay@example.org", to: ["a@example.org"], headers: ["X-Team": "sre\r\nBcc: evil@example.org"])
        let rendered = message.render(try delivery { $0.groupLabels["alertname"] = "Disk\r\nBcc: evil@example.org\u{0}" }, now: Date())
        let lines = headers(rendered)
        #expect(!lines.contains { $0.hasPrefix("Bcc:") })
        #expect(lines.contains("X-Team: sre  Bcc: evil@example.org"))
        #expect(lines.contains { $0.hasPrefix("Subject: [FIRING:2] Disk  Bcc: evil@example.org") })
    }

    @Test func nonASCIIHeaderTextIsEncodedAsRFC2047() throws {
        let message = try EmailMessage(from: "relay@example.org", to: ["a@example.org"], headers: ["Subject": "Disque plein ✓ sur db1"])
        let lines = headers(message.render(try delivery(), now: Date()))
        let subject = try #require(lines.first { $0.hasPrefix("Subject: ") })
        #expect(subject.hasPrefix("Subject: =?UTF-8?B?"))
        #expect(lines.allSatisfy { line in line.utf8.count <= 998 && line.utf8.allSatisfy { $0 < 128 } })
    }

    @Test func threadsByReceiverAndGroup() throws {
        let message = try EmailMessage(from: "relay@example.org", to: ["a@example.org"])
        let first = headers(message.render(try delivery(), now: Date()))
        let resolved = headers(message.render(try delivery { $0.status = .resolved }, now: Date()))
        let otherGroup = headers(message.render(try delivery { $0.groupKey = "{}:{alertname=\"Other\"}" }, now: Date()))
        func references(_ lines: [String]) -> String? { lines.first { $0.hasPrefix("References: ") } }
        #expect(references(first) != nil)
        #expect(references(first) == references(resolved))
        #expect(references(first) != references(otherGroup))
        #expect(first.contains("Message-Id: <n-1.9@alertrelay>"))
    }

    @Test func theEnvelopeGetsBareAddresses() {
        #expect(EmailSink.address("AlertRelay <relay@example.org>") == "relay@example.org")
        #expect(EmailSink.address(" oncall@example.org ") == "oncall@example.org")
        let hostile = EmailSink.address("x@example.org\r\nDATA")
        #expect(!hostile.contains("\r") && !hostile.contains("\n"), "CR/LF never reach the envelope")
    }
}
