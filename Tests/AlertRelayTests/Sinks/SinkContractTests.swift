import Foundation
import Synchronization
import Testing

@testable import AlertRelay

/// What every network sink promises, whatever it speaks: an accepted message is delivered, a passing failure
/// is retried, a refusal is final, a timeout is retried, and no credential of its configuration ever reaches
/// an outcome (outcomes are logged, stored with each attempt and shown by the deliveries API).
@Suite struct SinkContractTests {
    enum SinkKind: String, CaseIterable, Sendable {
        case webhook, slack, email
    }

    enum Kind: String, Sendable {
        case delivered, transient, permanent
    }

    /// What the far side does.
    enum Answer: String, CaseIterable, Sendable {
        /// HTTP 200 / SMTP 250.
        case accepts
        /// HTTP 503 / SMTP 451.
        case failsForNow
        /// HTTP 400 / SMTP 550.
        case refuses
        /// No answer in time.
        case timesOut
    }

    /// A failure without an answer whose message repeats what the transport was asked to reach, as curl's
    /// messages do ("Failed to connect to hooks.slack.com ...").
    enum EchoingFailure: String, CaseIterable, Sendable {
        case connection, timeout, tls, invalid, other
    }

    enum Script: Sendable {
        case answer(Answer)
        case echo(EchoingFailure)
    }

    /// One fake for both protocols: scripted answers over HTTP and SMTP, and a record of where it was asked to go.
    final class ScriptedTransport: HTTPTransport, MailTransport {
        let script: Script
        let destinations = Mutex<[String]>([])

        init(_ script: Script) { self.script = script }

        func send(_ request: OutboundRequest) async -> Result<OutboundResponse, TransportError> {
            destinations.withLock { $0.append(request.url) }
            func reply(_ status: Int, _ body: String) -> Result<OutboundResponse, TransportError> {
                .success(OutboundResponse(status: status, headers: [("Content-Type", "text/plain")], body: Array(body.utf8)))
            }
            switch script {
            case .answer(.accepts): return reply(200, "ok")
            case .answer(.failsForNow): return reply(503, "upstream unavailable")
            case .answer(.refuses): return reply(400, "invalid_payload")
            case .answer(.timesOut): return .failure(.timeout("Operation timed out after 10000 milliseconds with 0 bytes received"))
            case .echo(let failure):
                let message = "Failed to connect to \(request.url) port 443 after 3 ms: Couldn't connect to server"
                switch failure {
                case .connection: return .failure(.connection(message))
                case .timeout: return .failure(.timeout(message))
                case .tls: return .failure(.tls(message))
                case .invalid: return .failure(.invalidRequest(message))
                case .other: return .failure(.other(message))
                }
            }
        }

        func send(_ mail: OutboundMail) async -> Result<Int, MailError> {
            destinations.withLock { $0.append(mail.server) }
            switch script {
            case .answer(.accepts): return .success(250)
            case .answer(.failsForNow):
                return .failure(MailError(kind: .rejected, replyCode: 451, message: "451 4.3.0 Temporary local problem, try again later"))
            case .answer(.refuses):
                return .failure(MailError(kind: .rejected, replyCode: 550, message: "550 5.1.1 Recipient address rejected: User unknown"))
            case .answer(.timesOut): return .failure(MailError(kind: .timeout, replyCode: nil, message: "Timeout was reached"))
            case .echo(let failure):
                let message = "Failed to connect to \(mail.server) as \(mail.username ?? "-"): Couldn't connect to server"
                switch failure {
                case .connection: return .failure(MailError(kind: .connection, replyCode: nil, message: message))
                case .timeout: return .failure(MailError(kind: .timeout, replyCode: nil, message: message))
                case .tls: return .failure(MailError(kind: .tls, replyCode: nil, message: message))
                case .invalid: return .failure(MailError(kind: .authentication, replyCode: 535, message: "535 5.7.8 " + message))
                case .other: return .failure(MailError(kind: .other, replyCode: nil, message: message))
                }
            }
        }
    }

    // Credentials in each sink's configuration.
    static let webhookURL = "https://hooks.example.org/alertmanager?token=WEBHOOK-QUERY-TOKEN"
    static let webhookAuthorization = "Bearer WEBHOOK-HEADER-TOKEN"
    static let slackURL = "https://hooks.slack.com/services/T0/B0/SECRET-TOKEN"
    static let smtpServer = "smtps://smtp.example.org:465"
    static let smtpPassword = "SMTP-PASSWORD-TOKEN"

    static func secrets(of kind: SinkKind) -> [String] {
        switch kind {
        case .webhook: ["WEBHOOK-QUERY-TOKEN", "WEBHOOK-HEADER-TOKEN"]
        case .slack: ["SECRET-TOKEN"]
        case .email: [smtpPassword]
        }
    }

    static func destination(of kind: SinkKind) -> String {
        switch kind {
        case .webhook: webhookURL
        case .slack: slackURL
        case .email: smtpServer
        }
    }

    static func sink(_ kind: SinkKind, transport: ScriptedTransport) throws -> any Sink {
        switch kind {
        case .webhook:
            let settings = WebhookSink.Settings(url: webhookURL, headers: [(name: "Authorization", value: webhookAuthorization)])
            return WebhookSink(settings: settings, transport: transport)
        case .slack:
            return SlackSink(settings: SlackSink.Settings(url: slackURL), transport: transport)
        case .email:
            let message = try EmailMessage(from: "AlertRelay <relay@example.org>", to: ["oncall@example.org"])
            let settings = EmailSink.Settings(message: message, server: smtpServer, username: "relay@example.org", password: Secret(smtpPassword))
            return EmailSink(settings: settings, transport: transport)
        }
    }

    static let delivery: Delivery = {
        let alerts = [
            Alert(
                status: .firing, labels: ["alertname": "DiskFull", "instance": "db1:9100", "severity": "critical"],
                annotations: ["summary": "Disk 97% full on db1"], startsAt: Timestamp(seconds: 1_700_000_000),
                generatorURL: "http://prometheus.example.org:9090/graph?g0.expr=disk_used_ratio%3E0.95"
            ),
            Alert(
                status: .firing, labels: ["alertname": "DiskFull", "instance": "db2:9100", "severity": "warning"],
                annotations: ["summary": "Disk 91% full on db2"], startsAt: Timestamp(seconds: 1_700_000_060)
            ),
        ]
        let notification = AlertNotification(
            status: .firing, receiver: "oncall", groupKey: "{}:{alertname=\"DiskFull\"}", groupLabels: ["alertname": "DiskFull"],
            commonLabels: ["alertname": "DiskFull"], externalURL: "http://alertmanager.example.org:9093", alerts: alerts
        )
        return Delivery(
            jobID: 11, notificationID: "n-contract", source: "am", acceptedAt: Date(timeIntervalSince1970: 1_700_000_100),
            receiver: "oncall", notification: notification, attempt: 1
        )
    }()

    static func kind(_ outcome: DeliveryOutcome) -> Kind {
        switch outcome {
        case .delivered: .delivered
        case .transient: .transient
        case .permanent: .permanent
        }
    }

    static func reason(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .delivered: ""
        case .transient(let reason, _, _, _), .permanent(let reason, _, _): reason
        }
    }

    /// Every string of the outcome an operator may see: the reason, the response, and the outcome as logged.
    static func expectNoSecret(_ outcome: DeliveryOutcome, of kind: SinkKind) {
        for secret in secrets(of: kind) {
            #expect(!reason(outcome).contains(secret), "the reason shows \(secret): \(reason(outcome))")
            #expect(!outcome.response.contains(secret), "the response shows \(secret): \(outcome.response)")
            #expect(!"\(outcome)".contains(secret), "the outcome as logged shows \(secret)")
        }
    }

    @Test(arguments: SinkKind.allCases, Answer.allCases)
    func outcomeFollowsTheAnswer(kind: SinkKind, answer: Answer) async throws {
        let transport = ScriptedTransport(.answer(answer))
        let outcome = try await Self.sink(kind, transport: transport).deliver(Self.delivery)

        let http = kind != .email
        switch answer {
        case .accepts:
            #expect(Self.kind(outcome) == .delivered)
            #expect(outcome.status == (http ? 200 : 250))
        case .failsForNow:
            #expect(Self.kind(outcome) == .transient)
            #expect(outcome.status == (http ? 503 : 451))
        case .refuses:
            #expect(Self.kind(outcome) == .permanent)
            #expect(outcome.status == (http ? 400 : 550))
        case .timesOut:
            #expect(Self.kind(outcome) == .transient)
            #expect(outcome.status == nil)
        }
        let destinations = transport.destinations.withLock { $0 }
        #expect(destinations == [Self.destination(of: kind)], "one attempt, to the configured destination")
        Self.expectNoSecret(outcome, of: kind)
    }

    @Test(arguments: SinkKind.allCases, EchoingFailure.allCases)
    func noSecretReachesAnOutcome(kind: SinkKind, failure: EchoingFailure) async throws {
        let transport = ScriptedTransport(.echo(failure))
        let outcome = try await Self.sink(kind, transport: transport).deliver(Self.delivery)
        #expect(!outcome.isDelivered)
        Self.expectNoSecret(outcome, of: kind)
    }
}
