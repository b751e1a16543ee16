import Foundation
import Logging

/// A synthetic alert an operator sends to prove a route end to end: to one receiver, or through the routing
/// tree by its labels. It is marked as a test everywhere (the `alertrelay_test` label, `[TEST]` in the default
/// titles), skips deduplication, and goes through the same durable queue and real sinks as any alert.
public struct TestFire: Sendable {
    public enum Target: Sendable, Equatable {
        /// Every sink of this receiver, whatever the routes and time intervals say.
        case receiver(String)
        /// Wherever an alert with these labels routes, mutes included.
        case labels([String: String])
    }

    public var target: Target
    public var annotations: [String: String]
    public var status: AlertStatus

    public init(target: Target, annotations: [String: String] = [:], status: AlertStatus = .firing) {
        self.target = target
        self.annotations = annotations
        self.status = status
    }

    public static let label = "alertrelay_test"

    /// The notification as Alertmanager would have sent it for this one alert.
    public func notification(now: Date) -> AlertNotification {
        var labels: [String: String]
        switch target {
        case .receiver(let name): labels = ["alertname": "AlertRelayTest", "severity": "info", "receiver": name]
        case .labels(let given): labels = given
        }
        labels["alertname"] = labels["alertname"] ?? "AlertRelayTest"
        labels[Self.label] = "true"
        var annotations = self.annotations
        annotations["summary"] = annotations["summary"] ?? "Test alert sent by an operator through AlertRelay: if you can read this, the route works"
        let alert = Alert(
            status: status, labels: labels, annotations: annotations, startsAt: Timestamp(now),
            endsAt: status == .resolved ? Timestamp(now) : nil
        )
        let groupLabels = ["alertname": labels["alertname"] ?? "AlertRelayTest"]
        return AlertNotification(
            status: status, receiver: "", groupKey: "{}/{\(Self.label)=\"true\"}:{alertname=\"\(groupLabels["alertname"] ?? "")\"}",
            groupLabels: groupLabels, commonLabels: labels, commonAnnotations: annotations, alerts: [alert]
        )
    }
}

/// What a test-fire became: the notification id (as a webhook's), its jobs, and the receivers it reached
/// during a mute.
public struct TestFireReceipt: Sendable {
    public var id: String
    public var jobs: [SinkAddress]
    public var muted: [(receiver: String, reason: String)]
    /// Sinks that take no resolved alerts, skipped for a resolved test.
    public var skipped: [SinkAddress]
}

public enum TestFireError: Error, Sendable, Equatable {
    case unknownReceiver(String, known: [String])
    case unavailable(String)
}

extension Ingestor {
    public func fire(_ test: TestFire, logger: Logger) async throws(TestFireError) -> TestFireReceipt {
        let now = clock()
        let notification = test.notification(now: now)
        let shares: [RoutingTree.Routed]
        switch test.target {
        case .receiver(let name):
            guard receivers[name] != nil else { throw .unknownReceiver(name, known: receivers.keys.sorted()) }
            shares = [RoutingTree.Routed(receiver: name, notification: notification, isWhole: true, muted: nil)]
        case .labels:
            shares = routing.route(notification, at: now)
        }
        var jobs: [NewJob] = []
        var skipped: [SinkAddress] = []
        for share in shares {
            let made = Self.jobs(for: share, receiver: receivers[share.receiver], body: nil, dedupScope: nil)
            jobs += made
            let addresses = Set(made.map(\.address))
            skipped += (receivers[share.receiver]?.sinks ?? []).map(\.address).filter { !addresses.contains($0) }
        }
        let id = NotificationID.make(now: now)
        do {
            _ = try await queue.enqueue(AcceptedNotification(id: id, receivedAt: now, source: "test-fire", jobs: jobs, dedupWindow: .zero))
        } catch {
            throw .unavailable("\(error)")
        }
        logger.notice(
            "Test-fire queued", metadata: ["notification.id": "\(id)", "receivers": "\(shares.map(\.receiver).joined(separator: ","))"]
        )
        return TestFireReceipt(
            id: id, jobs: jobs.filter { $0.mutedBecause == nil }.map(\.address),
            muted: shares.compactMap { share in share.muted.map { (share.receiver, $0) } }, skipped: skipped
        )
    }
}
