import Foundation

/// Alertmanager's `webhook_configs` as AlertRelay delivers them: the Alertmanager v4 JSON of the alerts that
/// routed here, so any existing Alertmanager webhook consumer works behind AlertRelay.
public struct WebhookSink: Sink {
    public struct Settings: Sendable {
        public var url: String
        /// At most this many alerts in one message (0: all); the rest are counted in `truncatedAlerts`.
        public var maxAlerts: Int
        public var timeout: Duration
        /// Extra request headers, including the configured `Authorization`.
        public var headers: [(name: String, value: String)]
        public var followRedirects: Bool
        public var tls: TLSOptions
        public var signer: OutboundSigner?

        public init(
            url: String, maxAlerts: Int = 0, timeout: Duration = .seconds(10), headers: [(name: String, value: String)] = [],
            followRedirects: Bool = false, tls: TLSOptions = TLSOptions(), signer: OutboundSigner? = nil
        ) {
            self.url = url
            self.maxAlerts = maxAlerts
            self.timeout = timeout
            self.headers = headers
            self.followRedirects = followRedirects
            self.tls = tls
            self.signer = signer
        }
    }

    public let settings: Settings
    let transport: any HTTPTransport
    let now: @Sendable () -> Date

    public var kind: String { "webhook" }

    public init(settings: Settings, transport: any HTTPTransport, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.transport = transport
        self.now = now
    }

    /// The body Alertmanager would send for these alerts, truncated to `max_alerts`.
    public func body(for delivery: Delivery) -> [UInt8] {
        var notification = delivery.notification
        notification.receiver = delivery.receiver
        if settings.maxAlerts > 0, notification.alerts.count > settings.maxAlerts {
            notification.truncatedAlerts += notification.alerts.count - settings.maxAlerts
            notification.alerts = Array(notification.alerts.prefix(settings.maxAlerts))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array((try? encoder.encode(notification)) ?? Data())
    }

    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("User-Agent", "AlertRelay/\(AlertRelayVersion.current)"),
            ("X-AlertRelay-Notification-Id", delivery.notificationID),
            ("X-AlertRelay-Attempt", String(delivery.attempt)),
        ] + settings.headers
        let body = body(for: delivery)
        let signature = settings.signer?.headers(body: body, id: "msg_\(delivery.notificationID)_\(delivery.jobID)", now: now()) ?? []
        let request = OutboundRequest(
            url: settings.url, headers: headers + signature, body: body, timeout: settings.timeout,
            followRedirects: settings.followRedirects, tls: settings.tls
        )
        return await transport.deliver(request, now: now())
    }
}

public enum AlertRelayVersion {
    public static let current = "0.2.0"
}
