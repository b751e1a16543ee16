import Foundation
import Logging
import Testing

@testable import AlertRelay

@Suite struct IngestorTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-ingest-\(UUID().uuidString)")
    let now = Date(timeIntervalSince1970: 1_795_980_600)
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func ingestor(sendResolved: Bool = true, outbox: String = "outbox.jsonl") throws -> Ingestor {
        let yaml = """
            sources:
              am:
                auth: [{type: bearer, credentials: [t]}]
              signed:
                auth: [{type: standard-webhooks, secrets: [c2VjcmV0]}]
            route: {receiver: main}
            receivers:
              - name: main
                file_configs:
                  - path: \(outbox)
                    send_resolved: \(sendResolved)
            """
        let config = try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:])
        let now = self.now
        return try Ingestor(configuration: config, clock: { now })
    }

    func records() throws -> [OutboxRecord] {
        let text = try String(contentsOf: directory.appendingPathComponent("data/outbox.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(OutboxRecord.self, from: Data($0.utf8)) }
    }

    func bearer(_ body: [UInt8]) -> WebhookRequest {
        WebhookRequest(headers: [("Authorization", "Bearer t")], body: body)
    }

    func signed(_ body: [UInt8], id: String) -> WebhookRequest {
        let headers = StandardWebhooks.sign(body: body, secret: Secret("secret"), id: id, timestamp: Int64(now.timeIntervalSince1970))
        return WebhookRequest(headers: headers, body: body)
    }

    @Test func anAcceptedWebhookIsInTheOutboxBeforeTheReceiptIsReturned() async throws {
        let ingestor = try ingestor()
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        let receipt = try await ingestor.ingest(bearer(body), from: ingestor.sources["am"]!, logger: logger)
        #expect(receipt.alerts == 2 && receipt.firing == 2 && receipt.resolved == 0)
        #expect(receipt.receivers == ["main"])
        #expect(receipt.duplicateOf == nil)
        let records = try records()
        #expect(records.count == 1)
        #expect(records.first?.id == receipt.id)
        #expect(records.first?.source == "am")
        #expect(records.first?.receivedAt == now)
        #expect(records.first?.notification == (try Notification.decode(json: body)))
    }

    @Test func aReplayedWebhookIdIsProcessedOnce() async throws {
        let ingestor = try ingestor()
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        let first = try await ingestor.ingest(signed(body, id: "msg_1"), from: ingestor.sources["signed"]!, logger: logger)
        let replay = try await ingestor.ingest(signed(body, id: "msg_1"), from: ingestor.sources["signed"]!, logger: logger)
        let other = try await ingestor.ingest(signed(body, id: "msg_2"), from: ingestor.sources["signed"]!, logger: logger)
        #expect(replay.duplicateOf == first.id)
        #expect(other.duplicateOf == nil)
        #expect(try records().map(\.id) == [first.id, other.id])
    }

    @Test func refusesBeforeWritingAnything() async throws {
        let ingestor = try ingestor()
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        await #expect(throws: IngestError.unauthorized) {
            try await ingestor.ingest(WebhookRequest(headers: [("Authorization", "Bearer nope")], body: body), from: ingestor.sources["am"]!, logger: logger)
        }
        await #expect(throws: IngestError.invalidPayload(PayloadError(field: "alerts", reason: "required field is missing"))) {
            try await ingestor.ingest(bearer(Array(#"{"version":"4","status":"firing"}"#.utf8)), from: ingestor.sources["am"]!, logger: logger)
        }
        #expect(try records().isEmpty)
    }

    @Test func aFailedWriteIsNotAcceptedAndItsWebhookIdCanBeRetried() async throws {
        let ingestor = try ingestor(outbox: "/dev/full")
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        for _ in 0..<2 {
            await #expect(throws: IngestError.self) {
                try await ingestor.ingest(signed(body, id: "msg_1"), from: ingestor.sources["signed"]!, logger: logger)
            }
        }
        #expect(await ingestor.unavailability()?.contains("/dev/full") == true)
    }

    @Test func withoutSendResolvedResolvedAlertsAreLeftOut() async throws {
        let ingestor = try ingestor(sendResolved: false)
        _ = try await ingestor.ingest(bearer(try Fixtures.bytes("alertmanager/02-firing-1-resolved-1-firing.json")), from: ingestor.sources["am"]!, logger: logger)
        _ = try await ingestor.ingest(bearer(try Fixtures.bytes("alertmanager/03-resolved.json")), from: ingestor.sources["am"]!, logger: logger)
        let records = try records()
        #expect(records.count == 1)
        #expect(records.first?.notification.alerts.map(\.status) == [.firing])
    }

    @Test func idsAreTimeOrderedUUIDv7() {
        let early = NotificationID.make(now: now)
        let late = NotificationID.make(now: now.addingTimeInterval(0.002))
        #expect(early < late)
        #expect(early.count == 36)
        #expect(Array(early)[14] == "7")
    }
}
