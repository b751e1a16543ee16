import AlertRelay
import AlertRelayStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /api/v1/test-fire`: a synthetic alert through the real queue and sinks. With `?wait=30s` the answer
/// waits for each sink's first attempt and reports it, so a wrong SMTP password or a revoked Slack webhook
/// shows now, not during the next outage.
struct TestFireController<Context: RequestContext> {
    let ingestor: @Sendable () -> Ingestor
    let store: any RelayStore

    static var maxWait: Duration { .seconds(300) }

    func register(on group: RouterGroup<Context>) {
        group.post("/test-fire", use: fire)
    }

    struct RequestBody: Decodable {
        var receiver: String?
        var labels: [String: String]?
        var annotations: [String: String]?
        var status: String?
    }

    @Sendable func fire(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let wait = try Self.wait(request.uri.queryParameters["wait"].map(String.init))
        let test = try Self.test(from: try await request.collectBody(upTo: 1 << 20))
        let receipt = try await queue(test, logger: context.logger)
        let deliveries = try await results(of: receipt.id, waiting: wait)
        let outcome = TestFireBody(receipt: receipt, deliveries: deliveries, waited: wait != nil)
        return try Response.json(outcome, status: wait == nil ? .accepted : .ok)
    }

    func queue(_ test: TestFire, logger: Logger) async throws(APIError) -> TestFireReceipt {
        do {
            return try await ingestor().fire(test, logger: logger)
        } catch {
            switch error {
            case .unknownReceiver(let name, let known):
                throw APIError(
                    .notFound, code: "unknown_receiver",
                    message: "no receiver named \"\(name.prefix(100))\" (defined: \(known.joined(separator: ", ")))", field: "receiver"
                )
            case .unavailable(let reason):
                throw APIError(.serviceUnavailable, code: "unavailable", message: "the test could not be queued: \(reason)")
            }
        }
    }

    /// The notification's jobs, once each has had its first attempt or the wait is over.
    func results(of notification: String, waiting wait: Duration?) async throws -> [TestFireBody.Delivery] {
        let deadline = ContinuousClock.now + (wait ?? .zero)
        while true {
            let jobs = try await store.jobs(state: nil, receiver: nil, notification: notification, limit: 500, before: nil)
            let settled = jobs.allSatisfy { $0.attempts > 0 || $0.state == .muted || $0.state == .dead || $0.state == .delivered }
            if wait == nil || settled || ContinuousClock.now >= deadline {
                var deliveries: [TestFireBody.Delivery] = []
                for job in jobs.sorted(by: { $0.id < $1.id }) where job.state != .muted {
                    let first = wait == nil ? nil : try await store.job(id: job.id)?.1.first
                    deliveries.append(TestFireBody.Delivery(job: job, first: first))
                }
                return deliveries
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func wait(_ text: String?) throws -> Duration? {
        guard let text else { return nil }
        guard let duration = ConfigDuration(parsing: text)?.duration, duration <= maxWait else {
            throw APIError(.badRequest, code: "invalid_wait", message: "wait is a duration up to 5m, such as 30s; got \"\(text.prefix(40))\"", field: "wait")
        }
        return duration
    }

    static func test(from body: ByteBuffer) throws -> TestFire {
        let request: RequestBody
        do {
            request = try JSONDecoder().decode(RequestBody.self, from: Data(Array(buffer: body)))
        } catch {
            throw APIError(
                .badRequest, code: "invalid_request",
                message: "expected {\"receiver\": \"...\"} or {\"labels\": {...}, \"annotations\": {...}, \"status\": \"firing|resolved\"}"
            )
        }
        let status: AlertStatus
        switch request.status ?? "firing" {
        case "firing": status = .firing
        case "resolved": status = .resolved
        case let other:
            throw APIError(.badRequest, code: "invalid_status", message: "status is firing or resolved, got \"\(other.prefix(40))\"", field: "status")
        }
        let target: TestFire.Target
        switch (request.receiver, request.labels) {
        case (let receiver?, nil): target = .receiver(receiver)
        case (nil, let labels?):
            if let bad = labels.keys.sorted().first(where: { !Matcher.isLabelName($0) }) {
                throw APIError(.badRequest, code: "invalid_label", message: "invalid label name \"\(bad.prefix(100))\"", field: "labels.\(bad.prefix(100))")
            }
            target = .labels(labels)
        case (nil, nil):
            throw APIError(.badRequest, code: "invalid_request", message: "give a receiver, or labels to route by", field: "receiver")
        case (_?, _?):
            throw APIError(.badRequest, code: "invalid_request", message: "give a receiver or labels, not both", field: "labels")
        }
        return TestFire(target: target, annotations: request.annotations ?? [:], status: status)
    }
}

struct TestFireBody: Encodable {
    struct Delivery: Encodable {
        var id: Int64
        var receiver: String
        var sink: String
        /// delivered, failed, retrying (failed, will be retried), pending (no attempt yet).
        var result: String
        var state: String
        var status: Int?
        var response: String?
        var error: String?

        init(job: Job, first: Attempt?) {
            id = job.id
            receiver = job.address.receiver
            sink = job.address.sink
            state = job.state.rawValue
            status = first?.status
            response = first.map { String($0.response.prefix(500)) }
            if let first {
                result = first.outcome.isDelivered ? "delivered" : (job.state == .dead ? "failed" : "retrying")
                error = first.outcome.isDelivered ? nil : first.outcome.summary
            } else {
                result = "pending"
            }
        }
    }

    struct Muted: Encodable {
        var receiver: String
        var reason: String
    }

    var status: String
    var ok: Bool?
    var notification: String
    var deliveries: [Delivery]
    var muted: [Muted]
    var skipped: [String]

    init(receipt: TestFireReceipt, deliveries: [Delivery], waited: Bool) {
        notification = receipt.id
        self.deliveries = deliveries
        muted = receipt.muted.map { Muted(receiver: $0.receiver, reason: $0.reason) }
        skipped = receipt.skipped.map { "\($0.receiver)/\($0.sink) (send_resolved is false)" }
        if waited {
            let ok = deliveries.allSatisfy { $0.result == "delivered" }
            self.ok = ok
            status = deliveries.isEmpty ? "nothing to deliver" : (ok ? "delivered" : "failed")
        } else {
            status = "queued"
        }
    }
}
