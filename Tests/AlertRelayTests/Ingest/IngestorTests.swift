import AlertRelayTestSupport
import Foundation
import Logging
import Synchronization
import Testing

@testable import AlertRelay

/// Stands in for the SQLite store (tested on its own in AlertRelayStoreTests): records what it was asked to
/// enqueue, or fails as a full disk would.
final class RecordingQueue: JobQueue {
    let enqueued = Mutex<[AcceptedNotification]>([])
    let failing = Mutex(false)
    let answer = Mutex<EnqueueResult?>(nil)

    struct DiskFull: Error {}

    func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult {
        if failing.withLock({ $0 }) { throw DiskFull() }
        enqueued.withLock { $0.append(notification) }
        return answer.withLock { $0 } ?? .accepted(jobs: notification.jobs.count, duplicates: 0)
    }

    var all: [AcceptedNotification] { enqueued.withLock { $0 } }
}

@Suite struct IngestorTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-ingest-\(UUID().uuidString)")
    let now = Date(timeIntervalSince1970: 1_795_980_600)
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let queue = RecordingQueue()

    func ingestor() throws -> Ingestor {
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
                  - path: all.jsonl
                  - path: firing.jsonl
                    send_resolved: false
            dedup: {window: 2m}
            """
        let config = try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:])
        let now = self.now
        return Ingestor(configuration: config, queue: queue, clock: { now })
    }

    func bearer(_ body: [UInt8]) -> WebhookRequest {
        WebhookRequest(headers: [("Authorization", "Bearer t")], body: body)
    }

    func signed(_ body: [UInt8], id: String) -> WebhookRequest {
        let headers = StandardWebhooks.sign(body: body, secret: Secret("secret"), id: id, timestamp: Int64(now.timeIntervalSince1970))
        return WebhookRequest(headers: headers, body: body)
    }

    @Test func anAcceptedWebhookBecomesOneJobPerSinkBeforeTheReceiptIsReturned() async throws {
        let ingestor = try ingestor()
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        let receipt = try await ingestor.ingest(bearer(body), from: ingestor.sources["am"]!, logger: logger)
        #expect(receipt.alerts == 2 && receipt.firing == 2 && receipt.resolved == 0)
        #expect(receipt.receivers == ["main"])
        #expect(receipt.duplicateOf == nil)
        let accepted = try #require(queue.all.first)
        #expect(accepted.id == receipt.id)
        #expect(accepted.source == "am")
        #expect(accepted.receivedAt == now)
        #expect(accepted.dedupWindow == .seconds(120))
        #expect(accepted.jobs.map(\.address.sink) == ["file_configs[0]", "file_configs[1]"])
        #expect(accepted.jobs.first?.payload == (try AlertNotification.decode(json: body)))
        #expect(accepted.jobs.allSatisfy { $0.dedupKey != nil })
    }

    @Test func sinksWithoutSendResolvedGetOnlyTheFiringAlerts() async throws {
        let ingestor = try ingestor()
        _ = try await ingestor.ingest(bearer(try Fixtures.bytes("alertmanager/02-firing-1-resolved-1-firing.json")), from: ingestor.sources["am"]!, logger: logger)
        _ = try await ingestor.ingest(bearer(try Fixtures.bytes("alertmanager/03-resolved.json")), from: ingestor.sources["am"]!, logger: logger)
        let all = queue.all
        try #require(all.count == 2)
        let (mixed, resolved) = (all[0], all[1])
        #expect(mixed.jobs.map { $0.payload.alerts.map(\.status) } == [[.resolved, .firing], [.firing]])
        #expect(resolved.jobs.map(\.address.sink) == ["file_configs[0]"], "nothing firing is left for the second sink")
    }

    @Test func eachReceiverTheAlertsRouteToGetsItsShareAndAMutedShareIsRecordedNotSent() async throws {
        let yaml = """
            sources: {am: {auth: [{type: bearer, credentials: [t]}]}}
            time_intervals: [{name: always, time_intervals: [{}]}]
            route:
              receiver: main
              routes:
                - {matchers: ['instance="db1:9100"'], receiver: db1, continue: true}
                - {matchers: ['instance="db2:9100"'], receiver: db2, mute_time_intervals: [always]}
            receivers:
              - {name: main, file_configs: [{path: main.jsonl}]}
              - {name: db1, file_configs: [{path: db1.jsonl}]}
              - {name: db2, file_configs: [{path: db2.jsonl}]}
            """
        let now = self.now
        let ingestor = Ingestor(configuration: try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:]), queue: queue, clock: { now })
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        let receipt = try await ingestor.ingest(bearer(body), from: ingestor.sources["am"]!, logger: logger)
        #expect(receipt.receivers == ["db1"], "a child matched each alert, so the root's receiver gets none")
        #expect(receipt.muted == ["db2"])
        let jobs = try #require(queue.all.first?.jobs)
        #expect(jobs.map(\.address.receiver) == ["db1", "db2"])
        #expect(jobs.map { $0.payload.alerts.compactMap { $0.labels["instance"] } } == [["db1:9100"], ["db2:9100"]])
        #expect(jobs[0].mutedBecause == nil && jobs[0].dedupKey != nil)
        #expect(jobs[1].mutedBecause == "muted by mute_time_intervals always at route.routes[1]")
        #expect(jobs[1].dedupKey == nil, "a muted notification does not stop a later one from being sent")
        #expect(jobs.allSatisfy { $0.encodedPayload == nil }, "a share is encoded anew, not the body as received")
    }

    @Test func aReplayedWebhookIdIsProcessedOnce() async throws {
        let ingestor = try ingestor()
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        let first = try await ingestor.ingest(signed(body, id: "msg_1"), from: ingestor.sources["signed"]!, logger: logger)
        let replay = try await ingestor.ingest(signed(body, id: "msg_1"), from: ingestor.sources["signed"]!, logger: logger)
        let other = try await ingestor.ingest(signed(body, id: "msg_2"), from: ingestor.sources["signed"]!, logger: logger)
        #expect(replay.duplicateOf == first.id)
        #expect(other.duplicateOf == nil)
        #expect(queue.all.map(\.id) == [first.id, other.id])
    }

    @Test func aNotificationTheQueueAlreadyHasIsAnsweredAsADuplicate() async throws {
        let ingestor = try ingestor()
        queue.answer.withLock { $0 = .duplicate(of: "first-id") }
        let receipt = try await ingestor.ingest(bearer(try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")), from: ingestor.sources["am"]!, logger: logger)
        #expect(receipt.duplicateOf == "first-id")
        #expect(receipt.id == "first-id")
    }

    @Test func aSourceOverItsRateLimitIsRefusedUntilItsBucketRefills() async throws {
        let clock = Mutex(now)
        let yaml = "sources: {am: {rate_limit: 2, rate_burst: 1, auth: [{type: bearer, credentials: [t]}]}}\nroute: {receiver: r}\nreceivers: [{name: r}]"
        let ingestor = Ingestor(
            configuration: try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:]), queue: queue,
            clock: { clock.withLock { $0 } }
        )
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        _ = try await ingestor.ingest(bearer(body), from: ingestor.sources["am"]!, logger: logger)
        await #expect(throws: IngestError.rateLimited(retryAfter: .milliseconds(500))) {
            try await ingestor.ingest(self.bearer(body), from: ingestor.sources["am"]!, logger: self.logger)
        }
        clock.withLock { $0 = $0.addingTimeInterval(0.5) }
        _ = try await ingestor.ingest(bearer(body), from: ingestor.sources["am"]!, logger: logger)
        #expect(queue.all.count == 2)
    }

    func ingestor(_ yaml: String) throws -> Ingestor {
        let now = self.now
        return Ingestor(configuration: try ConfigLoader.parse(yaml: yaml, baseDirectory: directory, environment: [:]), queue: queue, clock: { now })
    }

    /// A captured signed request replayed 40 times is answered as a duplicate each time and spends nothing:
    /// the real sender's next notification is still accepted (issue 13, item 4).
    @Test func aReplayDoesNotSpendTheSendersRateBudget() async throws {
        let ingestor = try ingestor(
            "sources: {signed: {rate_limit: 1, rate_burst: 2, auth: [{type: standard-webhooks, secrets: [c2VjcmV0]}]}}\nroute: {receiver: r}\nreceivers: [{name: r}]"
        )
        let source = try #require(ingestor.sources["signed"])
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        let first = try await ingestor.ingest(signed(body, id: "msg_1"), from: source, logger: logger)
        for _ in 0..<40 {
            let replay = try await ingestor.ingest(signed(body, id: "msg_1"), from: source, logger: logger)
            #expect(replay.duplicateOf == first.id)
        }
        let next = try await ingestor.ingest(signed(body, id: "msg_2"), from: source, logger: logger)
        #expect(next.duplicateOf == nil)
    }

    /// A notification the store already has costs no write, so it spends nothing either.
    @Test func aDuplicateDoesNotSpendTheSendersRateBudget() async throws {
        let ingestor = try ingestor("sources: {am: {rate_limit: 1, rate_burst: 2, auth: [{type: bearer, credentials: [t]}]}}\nroute: {receiver: r}\nreceivers: [{name: r, file_configs: [{path: x.jsonl}]}]")
        let source = try #require(ingestor.sources["am"])
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        queue.answer.withLock { $0 = .duplicate(of: "first-id") }
        for _ in 0..<10 {
            #expect(try await ingestor.ingest(bearer(body), from: source, logger: logger).duplicateOf == "first-id")
        }
        queue.answer.withLock { $0 = nil }
        #expect(try await ingestor.ingest(bearer(body), from: source, logger: logger).duplicateOf == nil)
    }

    static let twoSources = """
        sources:
          am: {auth: [{type: bearer, credentials: [strong]}]}
          legacy: {auth: [{type: none}]}
        route: {receiver: r}
        receivers: [{name: r, file_configs: [{path: x.jsonl}]}]
        """

    /// The same notification from two sources is two notifications: the weaker source cannot get the real
    /// one answered as a duplicate (issue 13, item 3). Sources declared as one `dedup_group` share the log.
    @Test func aSourceCannotSuppressWhatAnotherSends() async throws {
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        func keys(_ yaml: String) async throws -> [String?] {
            let ingestor = try ingestor(yaml)
            queue.enqueued.withLock { $0 = [] }
            _ = try await ingestor.ingest(WebhookRequest(headers: [("Authorization", "Bearer strong")], body: body), from: #require(ingestor.sources["am"]), logger: logger)
            _ = try await ingestor.ingest(WebhookRequest(headers: [], body: body), from: #require(ingestor.sources["legacy"]), logger: logger)
            return queue.all.map { $0.jobs.first?.dedupKey }
        }
        let apart = try await keys(Self.twoSources)
        #expect(apart.count == 2 && apart[0] != nil && apart[0] != apart[1])
        let grouped = try await keys(
            Self.twoSources.replacingOccurrences(of: "[strong]}]}", with: "[strong]}], dedup_group: ha}").replacingOccurrences(of: "none}]}", with: "none}], dedup_group: ha}")
        )
        #expect(grouped.count == 2 && grouped[0] != nil && grouped[0] == grouped[1])
    }

    /// The fingerprint a payload claims is not trusted: the key is computed from the labels, so a fake alert
    /// that copies a real alert's fingerprint (with a fake severity) is not the same notification.
    @Test func theDedupKeyTakesTheFingerprintFromTheLabels() throws {
        let address = SinkAddress(receiver: "r", sink: "file_configs[0]")
        let start = Timestamp(seconds: 1_795_980_000)
        let real = Alert(status: .firing, labels: ["alertname": "Down", "severity": "critical"], startsAt: start)
        let fake = Alert(status: .firing, labels: ["alertname": "Down", "severity": "info"], startsAt: start, fingerprint: real.fingerprint)
        func key(_ alert: Alert) -> String {
            DedupKey.of(AlertNotification(status: .firing, groupKey: "g", alerts: [alert]), for: address, scope: "source:am")
        }
        #expect(fake.fingerprint == real.fingerprint)
        #expect(key(fake) != key(real))
    }

    /// A bearer or basic source decides from the headers: a wrong credential is refused before the body is
    /// read. A signature scheme needs the body, so nothing is decided early (issue 13, item 6).
    @Test func aCredentialInTheHeadersIsCheckedBeforeTheBody() throws {
        let ingestor = try ingestor()
        let headers = [(name: "Authorization", value: "Bearer nope")]
        #expect(throws: IngestError.unauthorized) {
            try ingestor.authenticateBeforeBody(headers: headers, clientCertificate: nil, from: #require(ingestor.sources["am"]), logger: logger)
        }
        try ingestor.authenticateBeforeBody(headers: [("Authorization", "Bearer t")], clientCertificate: nil, from: #require(ingestor.sources["am"]), logger: logger)
        try ingestor.authenticateBeforeBody(headers: [], clientCertificate: nil, from: #require(ingestor.sources["signed"]), logger: logger)
    }

    @Test func refusesBeforeQueueingAnything() async throws {
        let ingestor = try ingestor()
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        await #expect(throws: IngestError.unauthorized) {
            try await ingestor.ingest(WebhookRequest(headers: [("Authorization", "Bearer nope")], body: body), from: ingestor.sources["am"]!, logger: logger)
        }
        await #expect(throws: IngestError.invalidPayload(PayloadError(field: "alerts", reason: "required field is missing"))) {
            try await ingestor.ingest(bearer(Array(#"{"version":"4","status":"firing"}"#.utf8)), from: ingestor.sources["am"]!, logger: logger)
        }
        #expect(queue.all.isEmpty)
    }

    @Test func aFailedEnqueueIsNotAcceptedAndItsWebhookIdCanBeRetried() async throws {
        let ingestor = try ingestor()
        let body = try Fixtures.bytes("alertmanager/01-firing-2-alerts.json")
        queue.failing.withLock { $0 = true }
        await #expect(throws: IngestError.self) {
            try await ingestor.ingest(signed(body, id: "msg_1"), from: ingestor.sources["signed"]!, logger: logger)
        }
        queue.failing.withLock { $0 = false }
        let retried = try await ingestor.ingest(signed(body, id: "msg_1"), from: ingestor.sources["signed"]!, logger: logger)
        #expect(retried.duplicateOf == nil, "the sender's retry is processed, not mistaken for a replay")
        #expect(queue.all.count == 1)
    }

    @Test func idsAreTimeOrderedUUIDv7() {
        let early = NotificationID.make(now: now)
        let late = NotificationID.make(now: now.addingTimeInterval(0.002))
        #expect(early < late)
        #expect(early.count == 36)
        #expect(Array(early)[14] == "7")
    }
}
