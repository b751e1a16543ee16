@testable import AlertRelay
import AlertRelayTestSupport
import AlertRelayStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import AlertRelayServer

/// `POST /webhook/{source}` driven in process: every status the endpoint answers, with real captures.
@Suite struct WebhookRouteTests {
    /// Grafana's vector was signed at this instant; the clock is pinned to it.
    static let now = Date(timeIntervalSince1970: 1_764_439_200)

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-http-\(UUID().uuidString)")

    func config() throws -> RelayConfiguration {
        let yaml = """
            server: {max_body_size: 64KiB}
            sources:
              alertmanager:
                auth:
                  - {type: bearer, credentials: [spike-bearer-token-123]}
                  - {type: basic, users: [{username: am, password: s3cret}]}
              grafana:
                auth:
                  - type: grafana
                    secrets: [grafana-test-secret]
                    timestamp_header: X-Grafana-Alerting-Timestamp
              signed:
                auth: [{type: standard-webhooks, secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw]}]
              big:
                max_body_size: 2MiB
                auth: [{type: none}]
              limited:
                rate_limit: 1
                rate_burst: 2
                auth: [{type: bearer, credentials: [limited-token]}]
            route: {receiver: outbox}
            receivers:
              - name: outbox
                file_configs: [{path: outbox.jsonl}]
            """
        return try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:])
    }

    func relay() throws -> Relay {
        let now = Self.now
        return try Relay(configuration: try config(), logger: Self.quiet, clock: { now })
    }

    /// The jobs the accepted webhooks became, oldest first.
    func queued(_ relay: Relay) async throws -> [Job] {
        try await relay.store.jobs(state: nil, receiver: nil, limit: 1000, before: nil).reversed()
    }

    func fixture(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try Fixtures.bytes(name))
    }


    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static let json: HTTPFields = [.contentType: "application/json"]

    func headers(_ extra: [(String, String)]) -> HTTPFields {
        var fields = Self.json
        for (name, value) in extra { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    struct ErrorBody: Decodable {
        var status: String
        var error: String
        var message: String
        var field: String?
    }

    func error(_ response: TestResponse) throws -> ErrorBody {
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        return try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView))
    }

    func receipt(_ response: TestResponse) throws -> ReceiptBody {
        try JSONDecoder().decode(ReceiptBody.self, from: Data(response.body.readableBytesView))
    }

    // MARK: Accepted

    @Test func acceptsAlertmanagersRealRequestsWithBearerAndBasic() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            let bearer = try await client.execute(
                uri: "/webhook/alertmanager", method: .post,
                headers: headers([("Authorization", "Bearer spike-bearer-token-123"), ("User-Agent", "Alertmanager/0.25.0")]),
                body: try fixture("alertmanager/01-firing-2-alerts.json")
            )
            #expect(bearer.status == .accepted)
            let accepted = try receipt(bearer)
            #expect(accepted.status == "accepted")
            #expect(accepted.alerts == 2 && accepted.firing == 2 && accepted.resolved == 0)
            #expect(accepted.receivers == ["outbox"])

            let basic = try await client.execute(
                uri: "/webhook/alertmanager", method: .post, headers: headers([("Authorization", "Basic YW06czNjcmV0")]),
                body: try fixture("alertmanager/04-truncated-max-alerts-2.json")
            )
            #expect(basic.status == .accepted)
            let jobs = try await queued(relay)
            #expect(jobs.map(\.notificationID) == [accepted.id, try receipt(basic).id])
            #expect(jobs.first?.payload == (try AlertNotification.decode(json: Array(buffer: try fixture("alertmanager/01-firing-2-alerts.json")))))
            #expect(jobs.first?.address == SinkAddress(receiver: "outbox", sink: "file_configs[0]"))
            #expect(jobs.first?.state == .pending)
        }
    }

    @Test func acceptsGrafanasSignedRequestOnceAndAnswersItsReplayAsADuplicate() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        let signature = headers([
            ("X-Grafana-Alerting-Signature", "82650247462922939f5129a0ccde41500d518f900150b92486dce163263dc475"),
            ("X-Grafana-Alerting-Timestamp", "1764439200"),
        ])
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/webhook/grafana", method: .post, headers: signature, body: try fixture("grafana/01-firing-signed.json"))
            #expect(first.status == .accepted)
            let replay = try await client.execute(uri: "/webhook/grafana", method: .post, headers: signature, body: try fixture("grafana/01-firing-signed.json"))
            #expect(replay.status == .ok)
            let duplicate = try receipt(replay)
            #expect(duplicate.status == "duplicate")
            #expect(duplicate.id == (try receipt(first)).id)
            #expect(try await queued(relay).count == 1)
        }
    }

    @Test func answersAReplayedWebhookIdAsADuplicate() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        let body = try fixture("alertmanager/01-firing-2-alerts.json")
        let secret = try #require(StandardWebhooks.secret(fromEncoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signed = headers(StandardWebhooks.sign(body: Array(buffer: body), secret: secret, id: "msg_42", timestamp: 1_764_439_200).map { ($0.name, $0.value) })
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/webhook/signed", method: .post, headers: signed, body: body)
            let second = try await client.execute(uri: "/webhook/signed", method: .post, headers: signed, body: body)
            #expect(first.status == .accepted)
            #expect(second.status == .ok)
            #expect(try receipt(second).message?.contains("already accepted") == true)
            #expect(try await queued(relay).count == 1)
        }
    }

    // MARK: Refused

    @Test func refusesFailedAuthenticationWithoutSayingWhy() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        let cases: [HTTPFields] = [
            headers([]),
            headers([("Authorization", "Bearer spike-bearer-token-124")]),
            headers([("Authorization", "Basic " + Data("am:wrong".utf8).base64EncodedString())]),
        ]
        try await app.test(.router) { client in
            for fields in cases {
                let response = try await client.execute(
                    uri: "/webhook/alertmanager", method: .post, headers: fields, body: try fixture("alertmanager/01-firing-2-alerts.json")
                )
                #expect(response.status == .unauthorized)
                let body = try error(response)
                #expect(body.error == "unauthorized")
                #expect(body.message == "authentication failed")
            }
            let stale = try await client.execute(
                uri: "/webhook/grafana", method: .post,
                headers: headers([
                    ("X-Grafana-Alerting-Signature", "82650247462922939f5129a0ccde41500d518f900150b92486dce163263dc475"),
                    ("X-Grafana-Alerting-Timestamp", "1764438000"),
                ]),
                body: try fixture("grafana/01-firing-signed.json")
            )
            #expect(stale.status == .unauthorized)
            #expect(try await queued(relay).isEmpty)
        }
    }

    @Test func refusesRequestsAtTheHTTPLevelWithTheRightStatus() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        let body = try fixture("alertmanager/01-firing-2-alerts.json")
        let auth = ("Authorization", "Bearer spike-bearer-token-123")
        try await app.test(.router) { client in
            let unknown = try await client.execute(uri: "/webhook/nagios", method: .post, headers: headers([auth]), body: body)
            #expect(unknown.status == .notFound)
            #expect(try error(unknown).error == "unknown_source")

            let get = try await client.execute(uri: "/webhook/alertmanager", method: .get)
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            #expect(try error(get).error == "method_not_allowed")

            var plain: HTTPFields = [.contentType: "text/plain"]
            plain[.authorization] = auth.1
            let text = try await client.execute(uri: "/webhook/alertmanager", method: .post, headers: plain, body: body)
            #expect(text.status == .unsupportedMediaType)
            #expect(try error(text).message.contains("text/plain"))

            let none = try await client.execute(uri: "/webhook/alertmanager", method: .post, headers: [.authorization: auth.1], body: body)
            #expect(none.status == .unsupportedMediaType)

            let charset = try await client.execute(
                uri: "/webhook/alertmanager", method: .post,
                headers: [.contentType: "application/json; charset=utf-8", .authorization: auth.1], body: body
            )
            #expect(charset.status == .accepted)

            let route = try await client.execute(uri: "/nowhere", method: .get)
            #expect(route.status == .notFound)
            #expect(try error(route).status == "error")
        }
    }

    @Test func refusesBodiesOverTheLimit() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        let tenMegabytes = ByteBuffer(repeating: UInt8(ascii: " "), count: 10 << 20)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/webhook/alertmanager", method: .post, headers: headers([("Authorization", "Bearer spike-bearer-token-123")]), body: tenMegabytes
            )
            #expect(response.status == .contentTooLarge)
            #expect(try error(response).message.contains("65536 bytes"))
            // A source can raise its own limit.
            let big = try await client.execute(uri: "/webhook/big", method: .post, headers: Self.json, body: ByteBuffer(repeating: UInt8(ascii: " "), count: 1 << 20))
            #expect(big.status == .badRequest)
            let tooBig = try await client.execute(uri: "/webhook/big", method: .post, headers: Self.json, body: tenMegabytes)
            #expect(tooBig.status == .contentTooLarge)
        }
    }

    static let malformed: [(name: String, body: [UInt8], field: String?)] = [
        ("truncated JSON", Array(#"{"version":"4","status":"firing","alerts":[{"status":"fir"#.utf8), nil),
        ("wrong type", Array(#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"severity":["critical"]},"startsAt":"2026-11-29T19:30:00Z"}]}"#.utf8), "alerts[0].labels.severity"),
        ("missing field", Array(#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{}}]}"#.utf8), "alerts[0].startsAt"),
        ("not UTF-8", Array(#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":""#.utf8) + [0xc3, 0x28] + Array(#""}}]}"#.utf8), nil),
        ("deeply nested", Array(String(repeating: "[", count: 60_000).utf8), nil),
        ("empty", [], nil),
    ]

    @Test(arguments: malformed)
    func refusesMalformedBodiesNamingTheFieldAndKeepsAnswering(_ example: (name: String, body: [UInt8], field: String?)) async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/webhook/alertmanager", method: .post, headers: headers([("Authorization", "Bearer spike-bearer-token-123")]),
                body: ByteBuffer(bytes: example.body)
            )
            #expect(response.status == .badRequest, "\(example.name)")
            let body = try error(response)
            #expect(body.error == "invalid_payload")
            #expect(body.field == example.field)
            let healthy = try await client.execute(uri: "/-/healthy", method: .get)
            #expect(healthy.status == .ok)
        }
        #expect(try await queued(relay).isEmpty)
    }

    @Test func answers503AndIsNotReadyWhenTheStoreCannotBeWritten() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            let ready = try await client.execute(uri: "/-/ready", method: .get)
            #expect(ready.status == .ok)
            try await #require(relay.store as? QueueStore).setReadOnly(true)
            let response = try await client.execute(
                uri: "/webhook/alertmanager", method: .post, headers: headers([("Authorization", "Bearer spike-bearer-token-123")]),
                body: try fixture("alertmanager/01-firing-2-alerts.json")
            )
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
            #expect(try error(response).error == "store_unavailable")
            let notReady = try await client.execute(uri: "/-/ready", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            #expect(String(buffer: notReady.body).contains("the queue cannot be written"))
            try await #require(relay.store as? QueueStore).setReadOnly(false)
            let recovered = try await client.execute(
                uri: "/webhook/alertmanager", method: .post, headers: headers([("Authorization", "Bearer spike-bearer-token-123")]),
                body: try fixture("alertmanager/01-firing-2-alerts.json")
            )
            #expect(recovered.status == .accepted, "the sender's retry is accepted once the disk is writable again")
        }
    }

    @Test func healthEndpointsAnswerAsPrometheusDoes() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            let healthy = try await client.execute(uri: "/-/healthy", method: .get)
            #expect(healthy.status == .ok)
            #expect(String(buffer: healthy.body) == "AlertRelay is Healthy.\n")
            let ready = try await client.execute(uri: "/-/ready", method: .head)
            #expect(ready.status == .ok)
        }
    }

    @Test func aSourceOverItsRateLimitIsAnswered429WithRetryAfterAndOthersAreNot() async throws {
        let app = Application(router: buildRouter(relay: try relay()), logger: Self.quiet)
        try await app.test(.router) { client in
            func send(_ source: String, _ token: String, instance: Int) async throws -> TestResponse {
                let body = #"{"version":"4","status":"firing","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"A","i":"\#(instance)"},"startsAt":"2026-11-29T19:30:00Z"}]}"#
                return try await client.execute(
                    uri: "/webhook/\(source)", method: .post, headers: headers([("Authorization", "Bearer \(token)")]), body: ByteBuffer(string: body)
                )
            }
            for instance in 0..<5 {
                _ = try await send("limited", "wrong", instance: instance)  // unauthenticated: spends nothing
            }
            #expect(try await send("limited", "limited-token", instance: 1).status == .accepted)
            #expect(try await send("limited", "limited-token", instance: 2).status == .accepted, "a burst of 2")
            let refused = try await send("limited", "limited-token", instance: 3)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1", "the clock is pinned: a token is a second away")
            #expect(try await send("alertmanager", "spike-bearer-token-123", instance: 4).status == .accepted, "other sources are not limited")
        }
    }
}

@Suite struct ReceiptBodyTests {
    /// The receipt is written by hand for speed: it must be byte for byte what the JSON encoder writes for every
    /// other answer (sorted keys, unescaped slashes), including text that needs escaping.
    @Test(arguments: [
        IngestReceipt(id: "01a", source: "am", alerts: 2, firing: 1, resolved: 1, receivers: ["ops", "db/team"], muted: [], duplicateOf: nil),
        IngestReceipt(id: "01b", source: "am", alerts: 1, firing: 1, resolved: 0, receivers: [], muted: ["quiet \"hours\"\n"], duplicateOf: "01a"),
        IngestReceipt(id: "01c", source: "g", alerts: 0, firing: 0, resolved: 0, receivers: ["tab\there", "ünïcode ✓"], muted: ["a\\b"], duplicateOf: nil),
    ])
    func theHandWrittenReceiptIsWhatTheEncoderWrites(_ receipt: IngestReceipt) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(ReceiptBody(receipt).json == String(decoding: try encoder.encode(ReceiptBody(receipt)), as: UTF8.self))
    }

    @Test(arguments: [
        ("application/json", true), ("application/json; charset=utf-8", true), (" Application/JSON ;x=y", true),
        ("application/vnd.api+json", true), ("application/jsonx", false), ("text/json", false), ("application/+jsonp", false), ("", false),
    ])
    func recognisesJSONMediaTypes(_ contentType: String, _ isJSON: Bool) {
        #expect(WebhookController<RelayRequestContext>.isJSON(contentType) == isJSON)
    }
}
