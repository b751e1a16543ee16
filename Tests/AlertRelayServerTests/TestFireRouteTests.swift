import AlertRelay
import AlertRelayStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import AlertRelayServer

/// `POST /api/v1/test-fire` and `GET /api/v1/routes/test`, in process, over a real store. What a real sink
/// answers a test-fire with `wait` is checked end to end (Tests/EndToEnd/test_test_fire.py).
@Suite struct TestFireRouteTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-testfire-\(UUID().uuidString)")
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let admin: HTTPFields = [.authorization: "Bearer admin-secret", .contentType: "application/json"]

    func relay() throws -> Relay {
        let yaml = """
            sources: {am: {auth: [{type: bearer, credentials: [t]}]}}
            time_intervals: [{name: never, time_intervals: [{years: ['1990']}]}]
            route:
              receiver: team
              routes:
                - {matchers: [severity=critical], receiver: oncall}
                - {matchers: [severity=warning], receiver: chat, active_time_intervals: [never]}
            receivers:
              - {name: team, webhook_configs: [{url: "http://127.0.0.1:1/team"}]}
              - {name: oncall, webhook_configs: [{url: "http://127.0.0.1:1/a"}, {url: "http://127.0.0.1:1/b", send_resolved: false}]}
              - {name: chat, webhook_configs: [{url: "http://127.0.0.1:1/chat"}]}
            admin: {token: admin-secret}
            """
        return try Relay(configuration: try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:]), logger: Self.quiet)
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func fire(_ client: some TestClientProtocol, _ body: String, query: String = "") async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/test-fire" + query, method: .post, headers: admin, body: ByteBuffer(string: body))
    }

    @Test func needsTheAdminToken() async throws {
        let app = Application(router: buildRouter(relay: try relay()), logger: Self.quiet)
        try await app.test(.router) { client in
            let fire = try await client.execute(
                uri: "/api/v1/test-fire", method: .post, headers: [.contentType: "application/json", .authorization: "Bearer t"],
                body: ByteBuffer(string: #"{"receiver": "team"}"#)
            )
            #expect(fire.status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/routes/test?severity=critical", method: .get).status == .unauthorized)
        }
    }

    @Test func queuesAMarkedAlertForEverySinkOfTheReceiverEachTime() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            for _ in 0..<2 {
                let response = try await fire(client, #"{"receiver": "oncall", "annotations": {"summary": "checking the pager"}}"#)
                #expect(response.status == .accepted)
                let body = try json(response)
                #expect(body["status"] as? String == "queued")
                let deliveries = try #require(body["deliveries"] as? [[String: Any]])
                #expect(deliveries.map { $0["sink"] as? String } == ["webhook_configs[0]", "webhook_configs[1]"])
                #expect(deliveries.allSatisfy { $0["result"] as? String == "pending" })
            }
            let jobs = try await relay.store.jobs(state: .pending, receiver: "oncall", limit: 10, before: nil)
            #expect(jobs.count == 4, "a test-fire is never deduplicated")
            let alert = try #require(jobs.first?.payload.alerts.first)
            #expect(alert.labels["alertrelay_test"] == "true")
            #expect(alert.annotations["summary"] == "checking the pager")
            #expect(jobs.first?.source == "test-fire")
        }
    }

    @Test func routesByLabelsWithTimeIntervalsAndSendResolved() async throws {
        let app = Application(router: buildRouter(relay: try relay()), logger: Self.quiet)
        try await app.test(.router) { client in
            let critical = try json(try await fire(client, #"{"labels": {"severity": "critical"}, "status": "resolved"}"#))
            #expect((critical["deliveries"] as? [[String: Any]])?.map { $0["receiver"] as? String } == ["oncall"])
            #expect(critical["skipped"] as? [String] == ["oncall/webhook_configs[1] (send_resolved is false)"])
            let warning = try json(try await fire(client, #"{"labels": {"severity": "warning", "alertname": "LiteLLMHighLatency"}}"#))
            #expect((warning["deliveries"] as? [[String: Any]])?.isEmpty == true)
            let muted = try #require((warning["muted"] as? [[String: Any]])?.first)
            #expect(muted["receiver"] as? String == "chat")
            #expect(muted["reason"] as? String == "outside active_time_intervals never at route.routes[1]")
        }
    }

    @Test(arguments: [
        (#"{}"#, "", 400, "invalid_request"),
        (#"{"receiver": "team", "labels": {"a": "b"}}"#, "", 400, "invalid_request"),
        (#"{"labels": {"0bad": "x"}}"#, "", 400, "invalid_label"),
        (#"{"receiver": "team", "status": "pending"}"#, "", 400, "invalid_status"),
        (#"{"receiver": "team"}"#, "?wait=forever", 400, "invalid_wait"),
        (#"{"receiver": "team"}"#, "?wait=1h", 400, "invalid_wait"),
        (#"{"receiver": "pager"}"#, "", 404, "unknown_receiver"),
        (#"not json"#, "", 400, "invalid_request"),
    ])
    func refusesABadRequestSayingWhy(_ example: (body: String, query: String, status: Int, error: String)) async throws {
        let app = Application(router: buildRouter(relay: try relay()), logger: Self.quiet)
        try await app.test(.router) { client in
            let response = try await fire(client, example.body, query: example.query)
            #expect(response.status.code == example.status)
            #expect(try json(response)["error"] as? String == example.error)
        }
    }

    @Test func explainsWhereAnAlertWouldGo() async throws {
        let app = Application(router: buildRouter(relay: try relay()), logger: Self.quiet)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/routes/test?severity=critical&alertname=LiteLLMDown", method: .get, headers: admin)
            #expect(response.status == .ok)
            let receivers = try #require(try json(response)["receivers"] as? [[String: Any]])
            #expect(receivers.map { $0["receiver"] as? String } == ["oncall"])
            #expect(receivers.first?["sinks"] as? [String] == ["webhook_configs[0]", "webhook_configs[1]"])
            #expect(receivers.first?["routes"] as? [[String]] == [["route", "route.routes[0] {severity=\"critical\"}"]])
            let bad = try await client.execute(uri: "/api/v1/routes/test?time=yesterday", method: .get, headers: admin)
            #expect(bad.status == .badRequest)
        }
    }
}
