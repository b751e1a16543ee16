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

/// The admin API over a real store.
@Suite struct DeliveriesRouteTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-admin-\(UUID().uuidString)")
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func relay(adminToken: Bool = true) throws -> Relay {
        let yaml = """
            sources:
              am: {auth: [{type: bearer, credentials: [t]}]}
            route: {receiver: hook}
            receivers:
              - name: hook
                webhook_configs: [{url: "http://127.0.0.1:1/hook"}]
            \(adminToken ? "admin: {token: admin-secret}" : "")
            """
        return try Relay(configuration: try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:]), logger: Self.quiet)
    }

    let admin: HTTPFields = [.authorization: "Bearer admin-secret"]

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func accept(_ client: some TestClientProtocol, count: Int = 1) async throws {
        for index in 0..<count {
            let body = #"{"version":"4","status":"firing","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"A","n":"\#(index)"},"startsAt":"2026-11-29T19:30:00Z"}]}"#
            let response = try await client.execute(
                uri: "/webhook/am", method: .post, headers: [.contentType: "application/json", .authorization: "Bearer t"],
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .accepted)
        }
    }

    @Test func everyAdminRouteNeedsTheAdminToken() async throws {
        let app = Application(router: buildRouter(relay: try relay()), logger: Self.quiet)
        try await app.test(.router) { client in
            for (uri, method) in [("/api/v1/deliveries", HTTPRequest.Method.get), ("/api/v1/deliveries/1", .get),
                                  ("/api/v1/deliveries/1/retry", .post), ("/api/v1/deliveries/retry", .post), ("/api/v1/deliveries/1", .delete)] {
                let none = try await client.execute(uri: uri, method: method)
                #expect(none.status == .unauthorized, "\(method) \(uri)")
                let wrong = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer admin-secreT"])
                #expect(wrong.status == .unauthorized, "\(method) \(uri)")
                let webhookToken = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer t"])
                #expect(webhookToken.status == .unauthorized, "a source's credentials are not the admin token")
            }
        }
    }

    @Test func withoutAConfiguredTokenTheAdminAPIIsDisabled() async throws {
        let app = Application(router: buildRouter(relay: try relay(adminToken: false)), logger: Self.quiet)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/deliveries", method: .get, headers: admin)
            #expect(response.status == .forbidden)
            #expect(try json(response)["error"] as? String == "admin_disabled")
        }
    }

    @Test func listsShowsRequeuesAndDropsDeliveries() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            try await accept(client, count: 3)
            let page = try json(try await client.execute(uri: "/api/v1/deliveries?limit=2", method: .get, headers: admin))
            let deliveries = try #require(page["deliveries"] as? [[String: Any]])
            #expect(deliveries.compactMap { $0["id"] as? Int } == [3, 2])
            #expect(deliveries.first?["state"] as? String == "pending")
            #expect(deliveries.first?["sink"] as? String == "webhook_configs[0]")
            #expect(page["next"] as? Int == 2)
            let last = try json(try await client.execute(uri: "/api/v1/deliveries?limit=2&before=2", method: .get, headers: admin))
            #expect((last["deliveries"] as? [[String: Any]])?.count == 1)
            #expect(last["next"] == nil)

            let notificationID = try #require(deliveries.first?["notification_id"] as? String)
            let byNotification = try json(try await client.execute(uri: "/api/v1/deliveries?notification=\(notificationID)", method: .get, headers: admin))
            #expect((byNotification["deliveries"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [3])

            let detail = try json(try await client.execute(uri: "/api/v1/deliveries/1", method: .get, headers: admin))
            #expect((detail["delivery"] as? [String: Any])?["notification_id"] is String)
            #expect((detail["notification"] as? [String: Any])?["groupKey"] as? String == "g")
            #expect((detail["attempts"] as? [Any])?.isEmpty == true)

            let badState = try await client.execute(uri: "/api/v1/deliveries?state=lost", method: .get, headers: admin)
            #expect(badState.status == .badRequest)
            #expect(try json(badState)["field"] as? String == "state")
            #expect(try await client.execute(uri: "/api/v1/deliveries/x", method: .get, headers: admin).status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/deliveries/99", method: .get, headers: admin).status == .notFound)

            let retried = try await client.execute(uri: "/api/v1/deliveries/1/retry", method: .post, headers: admin)
            #expect(retried.status == .ok)
            let replayAll = try json(try await client.execute(uri: "/api/v1/deliveries/retry?state=dead", method: .post, headers: admin))
            #expect(replayAll["count"] as? Int == 0)

            #expect(try await client.execute(uri: "/api/v1/deliveries/3", method: .delete, headers: admin).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/deliveries/3", method: .get, headers: admin).status == .notFound)
            #expect(try await relay.store.counts()[.pending] == 2)
        }
    }
}
