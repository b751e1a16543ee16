import AlertRelay
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET /api/v1/routes/test?severity=critical&alertname=LiteLLMDown[&time=RFC3339]`: where an alert with
/// these labels goes, and why, like `amtool config routes test` (and `alertrelay routes test`).
struct RoutesController<Context: RequestContext> {
    let configuration: @Sendable () -> RelayConfiguration
    let clock: @Sendable () -> Date

    func register(on group: RouterGroup<Context>) {
        group.get("/routes/test", use: test)
    }

    @Sendable func test(_ request: Request, context: Context) async throws -> Response {
        var labels: [String: String] = [:]
        var time = clock()
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            if name == "time" {
                guard let parsed = Timestamp(rfc3339: String(value)) else {
                    throw APIError(.badRequest, code: "invalid_time", message: "time is an RFC 3339 timestamp such as 2026-11-30T09:30:00Z", field: "time")
                }
                time = parsed.date
                continue
            }
            guard Matcher.isLabelName(name) else {
                throw APIError(.badRequest, code: "invalid_label", message: "invalid label name \"\(name.prefix(100))\"", field: name)
            }
            labels[name] = String(value)
        }
        let configuration = self.configuration()
        let explanation = RouteExplanation(routing: configuration.routing, receivers: configuration.receivers, labels: labels, at: time)
        return try Response.json(explanation, status: .ok)
    }
}

/// Where an alert with these labels goes: each receiver with its sinks, the routes that lead there (root
/// first, with their matchers), and the mute that holds it, if any.
public struct RouteExplanation: Encodable, Sendable {
    public struct Destination: Encodable, Sendable {
        public var receiver: String
        public var sinks: [String]
        public var routes: [[String]]
        public var muted: String?
    }

    public var labels: [String: String]
    public var time: String
    public var receivers: [Destination]

    public init(routing: RoutingTree, receivers: [String: Receiver], labels: [String: String], at time: Date) {
        self.labels = labels
        self.time = Timestamp(time).rfc3339
        self.receivers = routing.destinations(for: labels, at: time).map { destination in
            Destination(
                receiver: destination.receiver,
                sinks: receivers[destination.receiver]?.sinks.map(\.address.sink) ?? [],
                routes: destination.trails.map { trail in trail.map { routing.node(at: $0)?.summary ?? $0 } },
                muted: destination.muted
            )
        }
    }
}
