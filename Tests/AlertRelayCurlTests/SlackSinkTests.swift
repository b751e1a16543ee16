import AlertRelayTestSupport
import AlertRelay
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import AlertRelayCurl

/// The Slack sink through libcurl against a loopback server that checks each message the way Slack's
/// incoming webhooks do, and answers as Slack does.
@Suite struct SlackSinkTests {
    final class FakeSlack: Sendable {
        let received = Mutex<[Data]>([])

        /// The messages Slack accepted, parsed.
        var first: [String: Any]? {
            received.withLock { $0.first }.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }

        /// Slack's own limits: text or blocks required; at most 50 blocks; section text at most 3000, header 150.
        static func problem(_ message: [String: Any]) -> String? {
            guard message["text"] is String || message["blocks"] != nil || message["attachments"] != nil else { return "no_text" }
            for attachment in message["attachments"] as? [[String: Any]] ?? [] {
                let blocks = attachment["blocks"] as? [[String: Any]] ?? []
                if blocks.count > 50 { return "invalid_blocks" }
                for block in blocks {
                    let text = (block["text"] as? [String: Any])?["text"] as? String ?? ""
                    if block["type"] as? String == "section", text.count > 3000 { return "invalid_blocks" }
                    if block["type"] as? String == "header", text.count > 150 { return "invalid_blocks" }
                }
            }
            return nil
        }

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.post("/services/:answer") { request, context -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                let data = Data(body.readableBytesView)
                guard let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "invalid_payload")))
                }
                if let problem = Self.problem(message) {
                    return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: problem)))
                }
                self.received.withLock { $0.append(data) }
                switch try context.parameters.require("answer") {
                case "archived": return Response(status: .gone, body: .init(byteBuffer: ByteBuffer(string: "channel_is_archived")))
                case "limited": return Response(status: .tooManyRequests, headers: [.retryAfter: "30"], body: .init(byteBuffer: ByteBuffer(string: "rate_limited")))
                case "down": return Response(status: .internalServerError)
                case "invalid": return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "invalid_payload")))
                default: return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
                }
            }
            return router
        }
    }

    let transport = CurlHTTPTransport(threads: 2)
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func fixture() throws -> AlertNotification {
        try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
    }

    func delivery(_ notification: AlertNotification) -> Delivery {
        Delivery(jobID: 1, notificationID: "n", source: "am", acceptedAt: Date(), receiver: "slack", notification: notification, attempt: 1)
    }

    func withSlack(_ body: @Sendable @escaping (String, FakeSlack) async throws -> Void) async throws {
        let slack = FakeSlack()
        let app = Application(router: slack.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet)
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))/services", slack)
        }
    }

    func blocks(_ message: [String: Any]) -> [[String: Any]] {
        ((message["attachments"] as? [[String: Any]])?.first?["blocks"] as? [[String: Any]]) ?? []
    }

    func text(_ block: [String: Any]) -> String {
        (block["text"] as? [String: Any])?["text"] as? String ?? ""
    }

    @Test func sendsABlockKitMessageWithHeaderSectionsColourAndFallback() async throws {
        try await withSlack { base, slack in
            let options = try SlackMessage.Options(channel: "#oncall", username: "AlertRelay", iconEmoji: ":rotating_light:")
            let sink = SlackSink(settings: .init(url: base + "/ok", options: options), transport: transport)
            #expect(await sink.deliver(delivery(try fixture())) == .delivered(status: 200, response: "ok"))
            let message = try #require(slack.first)
            #expect(message["channel"] as? String == "#oncall")
            #expect(message["username"] as? String == "AlertRelay")
            #expect(message["icon_emoji"] as? String == ":rotating_light:")
            #expect((message["text"] as? String)?.contains("DiskFull on db1:9100") == true, "a plain fallback for notifications")
            #expect((message["attachments"] as? [[String: Any]])?.first?["color"] as? String == "#a30200", "critical is red")
            let blocks = blocks(message)
            #expect(blocks.map { $0["type"] as? String } == ["header", "section", "section"])
            #expect(text(blocks[0]) == "[FIRING:2] DiskFull")
            let first = text(blocks[1])
            #expect(first.contains("*DiskFull on db1:9100*"))
            #expect(first.contains("*Severity:* critical"))
            #expect(first.contains("`instance=db1:9100`"))
            #expect(first.contains("<https://runbooks.example.org/disk|Runbook>"))
            #expect(first.contains("<http://prometheus.example.org:9090/graph?g0.expr=disk_used_ratio%3E0.95|Source>"))
        }
    }

    @Test func alertValuesAreDataNotMarkup() async throws {
        try await withSlack { base, slack in
            var notification = try fixture()
            notification.alerts[0].annotations["summary"] = "<!channel> disk & <https://evil.example|click> 🔥"
            notification.alerts[0].annotations["runbook_url"] = "javascript:alert(1)"
            notification.alerts[0].annotations["description"] = String(repeating: "x", count: 100_000)
            let sink = SlackSink(settings: .init(url: base + "/ok"), transport: transport)
            #expect(await sink.deliver(delivery(notification)).status == 200, "a 100 KB annotation is cut to Slack's limits")
            let section = text(blocks(try #require(slack.first))[1])
            #expect(section.contains("&lt;!channel&gt; disk &amp; &lt;https://evil.example|click&gt; 🔥"))
            #expect(!section.contains("<!channel>"))
            #expect(!section.contains("javascript:"), "only http(s) links are made")
            #expect(section.count <= 3000)
        }
    }

    /// A NUL, an escape or a C1 control in a label reaches no string Slack shows (the mail path strips them
    /// from headers the same way); line breaks stay, they are mrkdwn's own.
    @Test func controlCharactersInAlertValuesNeverReachSlack() async throws {
        try await withSlack { base, slack in
            var notification = try fixture()
            notification.commonLabels["alertname"] = "Disk\u{0}Full\u{1b}[31m"
            notification.alerts[0].labels["alertname"] = "Disk\u{0}Full\u{1b}[31m"
            notification.alerts[0].labels["instance"] = "db1\u{0}\u{7f}\u{85}"
            notification.alerts[0].annotations["summary"] = "first\u{0} line\nsecond\u{8} line"
            let sink = SlackSink(settings: .init(url: base + "/ok"), transport: transport)
            #expect(await sink.deliver(delivery(notification)).status == 200)
            let message = try #require(slack.first)
            var strings = [message["text"] as? String ?? ""]
            for block in blocks(message) { strings.append(text(block)) }
            strings.append((message["attachments"] as? [[String: Any]])?.first?["fallback"] as? String ?? "")
            for string in strings {
                let controls = string.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7f...0x9f).contains($0.value) }
                #expect(controls.isEmpty, "\(string.debugDescription)")
            }
            #expect(strings.contains { $0.contains("first line\nsecond line") }, "the printable rest and the line break stay")
        }
    }

    @Test func aLargeGroupIsSummarisedWithinFiftyBlocks() async throws {
        try await withSlack { base, slack in
            var notification = try fixture()
            let template = notification.alerts[0]
            notification.alerts = (0..<60).map { index in
                var alert = template
                alert.labels["instance"] = "db\(index):9100"
                return alert
            }
            let sink = SlackSink(settings: .init(url: base + "/ok"), transport: transport)
            #expect(await sink.deliver(delivery(notification)).status == 200)
            let blocks = blocks(try #require(slack.first))
            #expect(blocks.count == 50)
            #expect(blocks.last?["type"] as? String == "context")
            #expect(((blocks.last?["elements"] as? [[String: Any]])?.first?["text"] as? String)?.contains("and 12 more alerts") == true)
        }
    }

    @Test func titleTextSectionsAndColourComeFromTheConfiguredTemplates() async throws {
        try await withSlack { url, slack in
            let options = try SlackMessage.Options(
                title: "{{commonLabels.severity}} on\n{{name}}", text: "<!here> {{commonAnnotations.team}}",
                alertText: "*{{labels.instance}}*: {{annotations.description}}", color: "{{#firing}}danger{{/firing}}{{^firing}}good{{/firing}}"
            )
            let sink = SlackSink(settings: .init(url: url + "/ok", options: options), transport: transport)
            var notification = try fixture()
            notification.commonAnnotations["team"] = "<!channel> db & storage"
            #expect(await sink.deliver(delivery(notification)).status == 200)
            let message = try #require(slack.first)
            let blocks = blocks(message)
            #expect(text(blocks[0]) == "critical on DiskFull", "a header is one line")
            #expect(message["text"] as? String == "<!here> &lt;!channel&gt; db &amp; storage", "what the template writes is markup; values are not")
            #expect(text(blocks[1]) == "*db1:9100*: Disk usage above 95% on db1:9100")
            #expect((message["attachments"] as? [[String: Any]])?.first?["color"] as? String == "danger")
        }
    }

    @Test func resolvedGroupsAreGreen() async throws {
        try await withSlack { base, slack in
            var notification = try fixture()
            notification.status = .resolved
            for index in notification.alerts.indices { notification.alerts[index].status = .resolved }
            let sink = SlackSink(settings: .init(url: base + "/ok"), transport: transport)
            _ = await sink.deliver(delivery(notification))
            let message = try #require(slack.first)
            #expect((message["attachments"] as? [[String: Any]])?.first?["color"] as? String == "#2eb886")
            #expect(text(blocks(message)[0]) == "[RESOLVED] DiskFull")
        }
    }

    @Test func classifiesSlacksAnswers() async throws {
        try await withSlack { base, _ in
            let notification = try fixture()
            func outcome(_ path: String) async -> DeliveryOutcome {
                await SlackSink(settings: .init(url: base + "/" + path), transport: transport).deliver(delivery(notification))
            }
            #expect(await outcome("invalid") == .permanent(reason: "HTTP 400", status: 400, response: "invalid_payload"))
            #expect(await outcome("archived") == .permanent(reason: "HTTP 410", status: 410, response: "channel_is_archived"))
            #expect(await outcome("limited") == .transient(reason: "HTTP 429", status: 429, response: "rate_limited", retryAfter: .seconds(30)))
            guard case .transient(_, 500, _, nil) = await outcome("down") else {
                Issue.record("a 5xx is transient")
                return
            }
        }
    }
}
