import AlertRelay
import AlertRelayStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import AlertRelayServer

/// `/metrics`, `POST /-/reload` and the structured log formats.
@Suite struct OperationsRouteTests {
    let directory: URL
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let admin: HTTPFields = [.authorization: "Bearer admin-secret"]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static func config(receivers: String = "[{name: outbox, file_configs: [{path: outbox.jsonl}]}]", route: String = "{receiver: outbox}", storage: String = "data") -> String {
        """
        storage: {path: \(storage)}
        sources: {am: {auth: [{type: bearer, credentials: [t]}]}}
        route: \(route)
        receivers: \(receivers)
        admin: {token: admin-secret}
        """
    }

    func write(_ text: String) throws -> String {
        let file = directory.appendingPathComponent("alertrelay.yml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func relay() throws -> Relay {
        try Relay(configuration: try ConfigLoader.load(file: try write(Self.config()), environment: [:]), logger: Self.quiet)
    }

    func post(_ client: some TestClientProtocol, token: String = "t") async throws -> TestResponse {
        let body = #"{"version":"4","status":"firing","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"A","severity":"critical"},"startsAt":"2026-11-29T19:30:00Z"}]}"#
        return try await client.execute(
            uri: "/webhook/am", method: .post, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
            body: ByteBuffer(string: body)
        )
    }

    func metric(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let matches = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
            if matches, let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }

    @Test func metricsCountWebhooksByOutcomeAndShowTheQueue() async throws {
        let app = Application(router: buildRouter(relay: try relay()), logger: Self.quiet)
        try await app.test(.router) { client in
            #expect(try await post(client).status == .accepted)
            #expect(try await post(client).status == .ok, "the same notification again: a duplicate")
            #expect(try await post(client, token: "guess").status == .unauthorized)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            #expect(metric(text, "alertrelay_webhooks_received_total", ["source": "am", "outcome": "accepted"]) == 1)
            #expect(metric(text, "alertrelay_webhooks_received_total", ["source": "am", "outcome": "duplicate"]) == 1)
            #expect(metric(text, "alertrelay_webhooks_received_total", ["source": "am", "outcome": "unauthorized"]) == 1)
            #expect(metric(text, "alertrelay_alerts_routed_total", ["receiver": "outbox"]) == 1)
            #expect(metric(text, "alertrelay_queue_jobs", ["state": "pending"]) == 1, "the workers are not running here")
            #expect((metric(text, "alertrelay_queue_oldest_waiting_age_seconds") ?? -1) >= 0)
            #expect(metric(text, "alertrelay_store_commit_duration_seconds_count") == 2, "the duplicate is found inside a commit")
            #expect(metric(text, "alertrelay_build_info", ["version": AlertRelayVersion.current]) == 1)
            #expect(metric(text, "alertrelay_config_last_reload_successful") == 1)
        }
    }

    @Test func aValidConfigIsSwappedInAndAnInvalidOneChangesNothing() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/-/reload", method: .post).status == .unauthorized)

            _ = try write(Self.config(
                receivers: "[{name: outbox, file_configs: [{path: outbox.jsonl}]}, {name: pager, file_configs: [{path: pager.jsonl}]}]",
                route: "{receiver: outbox, routes: [{matchers: [severity=critical], receiver: pager}]}"
            ))
            let reloaded = try await client.execute(uri: "/-/reload", method: .post, headers: admin)
            #expect(reloaded.status == .ok, "\(String(buffer: reloaded.body))")
            #expect(try await post(client).status == .accepted)
            let routed = try await relay.store.jobs(state: nil, receiver: "pager", limit: 10, before: nil)
            #expect(routed.count == 1, "the new route is in use from the next webhook on")

            _ = try write(Self.config(route: "{receiver: nobody}"))
            let refused = try await client.execute(uri: "/-/reload", method: .post, headers: admin)
            #expect(refused.status == .badRequest)
            let errors = try JSONSerialization.jsonObject(with: Data(refused.body.readableBytesView)) as? [String: Any]
            #expect((errors?["errors"] as? [String])?.first?.contains("route.receiver: unknown receiver \"nobody\"") == true)
            #expect(relay.configuration.receivers["pager"] != nil, "the previous config keeps serving")
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metric(metrics, "alertrelay_config_last_reload_successful") == 0)
            #expect(metric(metrics, "alertrelay_config_reload_failures_total") == 1)

            _ = try write(Self.config(storage: "elsewhere"))
            let moved = try await client.execute(uri: "/-/reload", method: .post, headers: admin)
            #expect(moved.status == .badRequest, "the queue cannot move under a running process")
        }
    }

    @Test func jobsForASinkThatIsGoneAreKeptAndReported() async throws {
        let relay = try relay()
        let app = Application(router: buildRouter(relay: relay), logger: Self.quiet)
        try await app.test(.router) { client in
            #expect(try await post(client).status == .accepted)
            _ = try write(Self.config(receivers: "[{name: outbox}]"))
            let reloaded = try await client.execute(uri: "/-/reload", method: .post, headers: admin)
            let body = try JSONSerialization.jsonObject(with: Data(reloaded.body.readableBytesView)) as? [String: Any]
            #expect(body?["orphaned"] as? [String: Int] == ["outbox/file_configs[0]": 1])
            #expect(try await relay.store.jobs(state: .pending, receiver: "outbox", limit: 10, before: nil).count == 1, "kept, not lost")
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metric(metrics, "alertrelay_queue_orphaned_jobs") == 1)
        }
    }

    @Test(arguments: StructuredLogHandler.Format.allCases)
    func logLinesCarryEveryFieldAndStayOneLine(_ format: StructuredLogHandler.Format) throws {
        let lines = LockedLines()
        var logger = Logger(label: "alertrelay") { label in
            StructuredLogHandler(label: label, format: format, level: .info, write: { lines.append($0) })
        }
        logger[metadataKey: "delivery.id"] = "42"
        logger.warning("Delivery failed; will retry", metadata: ["error": "HTTP 503 \"busy\"\nsecond line"])
        // A sender's label name or value, as an invalid payload's field path carries it: no forged line, no
        // terminal escape, in any format.
        logger.info("Refused an invalid payload", metadata: ["field": "alerts[0].labels.a\n2026-11-30T00:00:00Z info alertrelay: forged\u{1b}[2J\u{2028}"])
        #expect(lines.all.count == 2)
        for line in lines.all {
            #expect(line.hasSuffix("\n") && line.dropLast().unicodeScalars.allSatisfy { !StructuredLogHandler.isControl($0) }, "one event, one line: \(line)")
        }
        let line = try #require(lines.all.first)
        switch format {
        case .text:
            #expect(line.contains(" warning alertrelay: Delivery failed; will retry "))
            #expect(line.contains("delivery.id=42"))
            #expect(line.contains(#"error="HTTP 503 \"busy\"\nsecond line""#))
        case .logfmt:
            #expect(line.contains("level=warning"))
            #expect(line.contains("msg=\"Delivery failed; will retry\""))
            #expect(line.contains("delivery.id=42"))
            #expect(line.contains(#"error="HTTP 503 \"busy\"\nsecond line""#))
        case .json:
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            #expect(object["level"] == "warning" && object["delivery.id"] == "42" && object["logger"] == "alertrelay")
            #expect(object["error"] == "HTTP 503 \"busy\"\nsecond line")
        }
    }
}

final class LockedLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
