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


/// The webhook sink through the real libcurl transport, against a real HTTP server on loopback that answers
/// as the endpoint under test would.
@Suite struct WebhookSinkTests {
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
    }

    final class Endpoint: Sendable {
        let received = Mutex<[Received]>([])

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.post("/status/:code") { request, context -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
                self.received.withLock { $0.append(Received(path: request.uri.path, headers: headers, body: Array(buffer: body))) }
                let code = try context.parameters.require("code", as: Int.self)
                var responseHeaders: HTTPFields = [:]
                if code == 429 || code == 503 { responseHeaders[.retryAfter] = "7" }
                if code == 307 { responseHeaders[.location] = "/status/200" }
                return Response(status: .init(code: code), headers: responseHeaders, body: .init(byteBuffer: ByteBuffer(string: "answer \(code)")))
            }
            router.post("/slow") { _, _ -> Response in
                try await Task.sleep(for: .seconds(1))
                return Response(status: .ok)
            }
            return router
        }
    }

    let transport = CurlHTTPTransport(threads: 4)
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func delivery() throws -> Delivery {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        return Delivery(jobID: 1, notificationID: "n-1", source: "am", acceptedAt: Date(), receiver: "hook", notification: notification, attempt: 2)
    }

    /// Runs `body` with a live endpoint; gives it the endpoint's base URL.
    func withEndpoint(_ body: @Sendable @escaping (String, Endpoint) async throws -> Void) async throws {
        let endpoint = Endpoint()
        let app = Application(router: endpoint.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet)
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))", endpoint)
        }
    }

    @Test func postsAlertmanagersJSONWithTheConfiguredHeaders() async throws {
        try await withEndpoint { base, endpoint in
            let sink = WebhookSink(
                settings: .init(url: base + "/status/200", headers: [("Authorization", "Bearer downstream")]), transport: transport
            )
            let delivery = try delivery()
            let outcome = await sink.deliver(delivery)
            #expect(outcome == .delivered(status: 200, response: "answer 200"))
            let request = try #require(endpoint.received.withLock { $0.first })
            #expect(request.headers["authorization"] == "Bearer downstream")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["x-alertrelay-notification-id"] == "n-1")
            #expect(request.headers["x-alertrelay-attempt"] == "2")
            #expect(request.headers["expect"] == nil)
            var expected = delivery.notification
            expected.receiver = "hook"
            #expect(try AlertNotification.decode(json: request.body) == expected)
        }
    }

    @Test func aBodyTemplateReplacesTheAlertmanagerJSONAndIsSignedAsSent() async throws {
        try await withEndpoint { base, endpoint in
            let body = try TemplateLibrary.defaults.template(
                "{\"text\": \"{{> title}}\", \"hosts\": [{{#alerts}}\"{{labels.instance}}\"{{^last()}},{{/last()}}{{/alerts}}]}", format: .json
            )
            let secret = Secret("outbound signing key")
            let sink = WebhookSink(
                settings: .init(url: base + "/status/200", maxAlerts: 1, signer: .hex(secret, header: "X-Hub-Signature-256"), body: body),
                transport: transport
            )
            #expect(await sink.deliver(try delivery()).status == 200)
            let request = try #require(endpoint.received.withLock { $0.first })
            #expect(request.headers["content-type"] == "application/json")
            let object = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            #expect(object?["text"] as? String == "[FIRING:1] DiskFull", "max_alerts applies before the template sees the alerts")
            #expect(object?["hosts"] as? [String] == ["db1:9100"])
            let signature = try #require(request.headers["x-hub-signature-256"])
            let verification = HexSignature(secrets: [secret]).verify(
                WebhookRequest(headers: [("X-Hub-Signature-256", signature)], body: request.body), now: Date()
            )
            #expect(verification == .passed(replayKey: nil, replayWindow: .zero), "the signature covers the rendered body")
        }
    }

    @Test func signsWhatItSendsWithAStableIdAcrossRetries() async throws {
        try await withEndpoint { base, endpoint in
            let secret = Secret("outbound signing key")
            let now = Date(timeIntervalSince1970: 1_795_980_600)
            let sink = WebhookSink(
                settings: .init(url: base + "/status/200", signer: .standardWebhooks(secret)), transport: transport, now: { now }
            )
            _ = await sink.deliver(try delivery())
            _ = await sink.deliver(try delivery())
            let received = endpoint.received.withLock { $0 }
            #expect(received.count == 2)
            for request in received {
                let verification = StandardWebhooks(secrets: [secret]).verify(
                    WebhookRequest(headers: request.headers.map { ($0.key, $0.value) }, body: request.body), now: now
                )
                #expect(verification == .passed(replayKey: "webhook-id:msg_n-1_1", replayWindow: .seconds(600)))
            }
        }
    }

    @Test func truncatesToMaxAlertsAsAlertmanagerDoes() async throws {
        try await withEndpoint { base, endpoint in
            let sink = WebhookSink(settings: .init(url: base + "/status/200", maxAlerts: 1), transport: transport)
            _ = await sink.deliver(try delivery())
            let body = try #require(endpoint.received.withLock { $0.first?.body })
            let sent = try AlertNotification.decode(json: body)
            #expect(sent.alerts.count == 1)
            #expect(sent.truncatedAlerts == 1)
        }
    }

    static let classification: [(code: Int, transient: Bool)] = [
        (400, false), (401, false), (403, false), (404, false), (410, false), (422, false),
        (408, true), (425, true), (429, true), (500, true), (502, true), (503, true), (504, true),
    ]

    @Test(arguments: classification)
    func classifiesStatusesWithTheSharedRule(_ example: (code: Int, transient: Bool)) async throws {
        try await withEndpoint { base, _ in
            let sink = WebhookSink(settings: .init(url: base + "/status/\(example.code)"), transport: transport)
            switch await sink.deliver(try delivery()) {
            case .transient(_, let status, let response, let retryAfter):
                #expect(example.transient)
                #expect(status == example.code)
                #expect(response == "answer \(example.code)")
                #expect(retryAfter == ([429, 503].contains(example.code) ? .seconds(7) : nil))
            case .permanent(_, let status, _):
                #expect(!example.transient)
                #expect(status == example.code)
            case .delivered:
                Issue.record("\(example.code) is not a success")
            }
        }
    }

    @Test func doesNotFollowRedirectsUnlessConfigured() async throws {
        try await withEndpoint { base, endpoint in
            let delivery = try delivery()
            let plain = WebhookSink(settings: .init(url: base + "/status/307"), transport: transport)
            #expect(await plain.deliver(delivery).status == 307)
            let following = WebhookSink(settings: .init(url: base + "/status/307", followRedirects: true), transport: transport)
            #expect(await following.deliver(delivery).status == 200)
            #expect(endpoint.received.withLock { $0.map(\.path) } == ["/status/307", "/status/307", "/status/200"])
        }
    }

    @Test func aRefusedConnectionIsTransient() async throws {
        let sink = WebhookSink(settings: .init(url: "http://127.0.0.1:1/hook"), transport: transport)
        guard case .transient(let reason, nil, _, nil) = await sink.deliver(try delivery()) else {
            Issue.record("expected a transient failure")
            return
        }
        #expect(reason.contains("connection failed"))
    }

    @Test func aTimeoutIsTransient() async throws {
        try await withEndpoint { base, _ in
            let sink = WebhookSink(settings: .init(url: base + "/slow", timeout: .milliseconds(300)), transport: transport)
            guard case .transient(let reason, nil, _, nil) = await sink.deliver(try delivery()) else {
                Issue.record("expected a transient failure")
                return
            }
            #expect(reason.contains("timed out"))
        }
    }

    @Test func anUnsupportedSchemeIsPermanent() async throws {
        let sink = WebhookSink(settings: .init(url: "file:///etc/passwd"), transport: transport)
        guard case .permanent = await sink.deliver(try delivery()) else {
            Issue.record("libcurl must refuse anything but http and https")
            return
        }
    }
}
