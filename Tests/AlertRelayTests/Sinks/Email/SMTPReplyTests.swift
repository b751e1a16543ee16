import Foundation
import Synchronization
import Testing

@testable import AlertRelay

/// What the email sink makes of an SMTP server's answer: 4xx replies and network trouble are worth retrying;
/// 5xx replies and a refused login are not.
@Suite struct SMTPReplyTests {
    enum Kind: String, Sendable {
        case delivered, transient, permanent
    }

    static func kind(_ outcome: DeliveryOutcome) -> Kind {
        switch outcome {
        case .delivered: .delivered
        case .transient: .transient
        case .permanent: .permanent
        }
    }

    /// Answers every message with the same scripted result, and keeps what it was given.
    final class ScriptedMail: MailTransport {
        let result: Result<Int, MailError>
        let sent = Mutex<[OutboundMail]>([])

        init(_ result: Result<Int, MailError>) { self.result = result }

        func send(_ mail: OutboundMail) async -> Result<Int, MailError> {
            sent.withLock { $0.append(mail) }
            return result
        }
    }

    static let server = "smtp://smtp.example.org:587"

    static func sink(_ transport: ScriptedMail) throws -> EmailSink {
        let message = try EmailMessage(from: "AlertRelay <relay@example.org>", to: ["On call <oncall@example.org>", "sre@example.org"])
        let settings = EmailSink.Settings(message: message, server: server, username: "relay", password: Secret("smtp-password"))
        return EmailSink(settings: settings, transport: transport, now: { Date(timeIntervalSince1970: 1_700_000_000) })
    }

    static let delivery: Delivery = {
        let alert = Alert(
            status: .firing, labels: ["alertname": "DiskFull", "instance": "db1:9100", "severity": "critical"],
            annotations: ["summary": "Disk 97% full on db1"], startsAt: Timestamp(seconds: 1_700_000_000)
        )
        let notification = AlertNotification(
            status: .firing, receiver: "oncall", groupKey: "{}:{alertname=\"DiskFull\"}", groupLabels: ["alertname": "DiskFull"],
            commonLabels: alert.labels, commonAnnotations: alert.annotations, alerts: [alert]
        )
        return Delivery(
            jobID: 3, notificationID: "n-smtp", source: "am", acceptedAt: Date(timeIntervalSince1970: 1_700_000_000), receiver: "oncall",
            notification: notification, attempt: 1
        )
    }()

    struct Reply: Sendable, CustomTestStringConvertible {
        let result: Result<Int, MailError>
        let expected: Kind
        let status: Int?
        let note: String
        var testDescription: String { note }

        static func reply(_ code: Int, _ text: String, _ expected: Kind, kind: MailError.Kind = .rejected) -> Reply {
            Reply(result: .failure(MailError(kind: kind, replyCode: code, message: text)), expected: expected, status: code, note: "\(code) \(kind)")
        }

        static func noReply(_ kind: MailError.Kind, _ text: String, _ expected: Kind) -> Reply {
            Reply(result: .failure(MailError(kind: kind, replyCode: nil, message: text)), expected: expected, status: nil, note: "\(kind), no reply")
        }
    }

    static let replies: [Reply] = [
        Reply(result: .success(250), expected: .delivered, status: 250, note: "250 accepted"),
        .reply(421, "421 4.3.2 Service not available, closing transmission channel", .transient),
        .reply(450, "450 4.2.1 Mailbox busy, try again later", .transient),
        .reply(451, "451 4.3.0 Temporary local problem, try again later", .transient),
        .reply(452, "452 4.3.1 Insufficient system storage", .transient),
        .reply(550, "550 5.1.1 Recipient address rejected: User unknown", .permanent),
        .reply(551, "551 5.1.6 User not local", .permanent),
        .reply(552, "552 5.3.4 Message size exceeds fixed limit", .permanent),
        .reply(553, "553 5.1.3 Sender address rejected: not owned by user", .permanent),
        .reply(554, "554 5.7.1 Relay access denied", .permanent),
        .reply(535, "535 5.7.8 Authentication credentials invalid", .permanent, kind: .authentication),
        .noReply(.authentication, "Login denied", .permanent),
        .noReply(.connection, "Couldn't connect to server", .transient),
        .noReply(.timeout, "Timeout was reached", .transient),
        .noReply(.tls, "SSL connect error", .transient),
        .noReply(.other, "Failure when receiving data from the peer", .transient),
    ]

    @Test(arguments: SMTPReplyTests.replies)
    func replyIsClassified(_ reply: Reply) async throws {
        let transport = ScriptedMail(reply.result)
        let outcome = try await Self.sink(transport).deliver(Self.delivery)
        #expect(Self.kind(outcome) == reply.expected)
        #expect(outcome.status == reply.status, "the reply code is kept in the attempt record")
        if case .failure(let error) = reply.result {
            #expect(outcome.response == error.message, "the server's own words are kept in the attempt record")
        }
        let transactions = transport.sent.withLock { $0.count }
        #expect(transactions == 1, "one delivery, one SMTP transaction")
    }

    /// RFC 4954 §6: 454 4.7.0 is a *temporary* authentication failure (the server could not check the
    /// credentials just now). libcurl reports every failed AUTH as a login failure, whatever the code.
    @Test func aTemporaryAuthenticationFailureIsRetried() async throws {
        let refusal = MailError(kind: .authentication, replyCode: 454, message: "454 4.7.0 Temporary authentication failure")
        let transport = ScriptedMail(.failure(refusal))
        let outcome = try await Self.sink(transport).deliver(Self.delivery)
        #expect(Self.kind(outcome) == .transient)
        #expect(outcome.status == 454)
    }

    @Test func theTransportGetsTheServerCredentialsAndBareEnvelopeAddresses() async throws {
        let transport = ScriptedMail(.success(250))
        _ = try await Self.sink(transport).deliver(Self.delivery)
        let first = transport.sent.withLock { $0.first }
        let mail = try #require(first)
        #expect(mail.server == Self.server)
        #expect(mail.from == "relay@example.org")
        #expect(mail.recipients == ["oncall@example.org", "sre@example.org"])
        #expect(mail.username == "relay")
        #expect(mail.password == Secret("smtp-password"))
        #expect(mail.requireTLS, "STARTTLS is required unless switched off")
        #expect(String(decoding: mail.message, as: UTF8.self).contains("Subject: [FIRING:1] DiskFull"))
    }
}
