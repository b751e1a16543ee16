import AlertRelay
import AlertRelayStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The admin API over the queue: list, show, replay and drop deliveries. Every route needs the admin token.
struct DeliveriesController<Context: RequestContext> {
    let store: any RelayStore
    let clock: @Sendable () -> Date

    func register(on group: RouterGroup<Context>) {
        group.get("/deliveries", use: list)
        group.post("/deliveries/retry", use: retryAll)
        group.get("/deliveries/:id", use: show)
        group.post("/deliveries/:id/retry", use: retry)
        group.delete("/deliveries/:id", use: drop)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        let state = try Self.state(query["state"].map(String.init))
        let limit = min(max(Int(query["limit"].map(String.init) ?? "") ?? 50, 1), 500)
        let before = query["before"].flatMap { Int64(String($0)) }
        let jobs = try await store.jobs(
            state: state, receiver: query["receiver"].map(String.init), notification: query["notification"].map(String.init),
            limit: limit, before: before
        )
        let page = DeliveryPage(deliveries: jobs.map(DeliveryBody.init), next: jobs.count == limit ? jobs.last?.id : nil)
        return try Response.json(page, status: .ok)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let id = try Self.id(context)
        guard let (job, attempts) = try await store.job(id: id) else { throw Self.notFound(id) }
        return try Response.json(DeliveryDetail(job: job, attempts: attempts), status: .ok)
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        let id = try Self.id(context)
        guard try await store.job(id: id) != nil else { throw Self.notFound(id) }
        guard try await store.retry(id: id, now: clock()) else {
            throw APIError(.conflict, code: "not_retryable", message: "delivery \(id) is delivered or being delivered right now")
        }
        context.logger.notice("Delivery requeued by an operator", metadata: ["delivery.id": "\(id)"])
        return try Response.json(["status": "requeued", "id": "\(id)"], status: .ok)
    }

    @Sendable func retryAll(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        guard let state = try Self.state(query["state"].map(String.init) ?? "dead"), state != .delivering else {
            throw APIError(.badRequest, code: "invalid_state", message: "state must be dead, muted, retrying or pending", field: "state")
        }
        let receiver = query["receiver"].map(String.init)
        let count = try await store.retryAll(state: state, receiver: receiver, now: clock())
        context.logger.notice("Deliveries requeued by an operator", metadata: ["count": "\(count)", "state": "\(state.rawValue)", "receiver": "\(receiver ?? "*")"])
        return try Response.json(RequeuedBody(status: "requeued", count: count), status: .ok)
    }

    @Sendable func drop(_ request: Request, context: Context) async throws -> Response {
        let id = try Self.id(context)
        guard try await store.job(id: id) != nil else { throw Self.notFound(id) }
        guard try await store.drop(id: id) else {
            throw APIError(.conflict, code: "in_flight", message: "delivery \(id) is being delivered right now")
        }
        context.logger.notice("Delivery dropped by an operator", metadata: ["delivery.id": "\(id)"])
        return try Response.json(["status": "dropped", "id": "\(id)"], status: .ok)
    }

    static func id(_ context: Context) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text) else {
            throw APIError(.badRequest, code: "invalid_id", message: "a delivery id is a number, got \"\(text.prefix(40))\"", field: "id")
        }
        return id
    }

    static func state(_ text: String?) throws -> JobState? {
        guard let text else { return nil }
        guard let state = JobState(rawValue: text) else {
            let known = JobState.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(.badRequest, code: "invalid_state", message: "unknown state \"\(text.prefix(40))\" (one of \(known))", field: "state")
        }
        return state
    }

    static func notFound(_ id: Int64) -> APIError {
        APIError(.notFound, code: "not_found", message: "no delivery \(id)")
    }
}

struct DeliveryPage: Codable {
    var deliveries: [DeliveryBody]
    /// Pass as `before` for the next page; absent on the last.
    var next: Int64?
}

struct RequeuedBody: Codable {
    var status: String
    var count: Int
}

/// A delivery as the admin API shows it.
struct DeliveryBody: Codable {
    var id: Int64
    var notificationId: String
    var source: String
    var receiver: String
    var sink: String
    var state: String
    var attempts: Int
    var createdAt: String
    var nextAttemptAt: String
    var updatedAt: String
    var lastError: String?
    var status: String
    var groupKey: String
    var alerts: Int

    enum CodingKeys: String, CodingKey {
        case id, notificationId = "notification_id", source, receiver, sink, state, attempts, createdAt = "created_at"
        case nextAttemptAt = "next_attempt_at", updatedAt = "updated_at", lastError = "last_error", status
        case groupKey = "group_key", alerts
    }

    init(_ job: Job) {
        id = job.id
        notificationId = job.notificationID
        source = job.source
        receiver = job.address.receiver
        sink = job.address.sink
        state = job.state.rawValue
        attempts = job.attempts
        createdAt = Timestamp(job.createdAt).rfc3339
        nextAttemptAt = Timestamp(job.nextAttemptAt).rfc3339
        updatedAt = Timestamp(job.updatedAt).rfc3339
        lastError = job.lastError
        status = job.payload.status.rawValue
        groupKey = job.payload.groupKey
        alerts = job.payload.alerts.count
    }
}

struct DeliveryDetail: Codable {
    struct AttemptBody: Codable {
        var number: Int
        var startedAt: String
        var durationMs: Int64
        var outcome: String
        var status: Int?
        var response: String

        enum CodingKeys: String, CodingKey {
            case number, startedAt = "started_at", durationMs = "duration_ms", outcome, status, response
        }
    }

    var delivery: DeliveryBody
    var attempts: [AttemptBody]
    var notification: AlertNotification

    init(job: Job, attempts: [Attempt]) {
        delivery = DeliveryBody(job)
        self.attempts = attempts.map {
            AttemptBody(
                number: $0.number, startedAt: Timestamp($0.startedAt).rfc3339,
                durationMs: $0.duration.components.seconds * 1000 + $0.duration.components.attoseconds / 1_000_000_000_000_000,
                outcome: $0.outcome.summary, status: $0.status, response: $0.response
            )
        }
        notification = job.payload
    }
}
