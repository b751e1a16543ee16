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
        /// Replaces the Alertmanager JSON; sent with `contentType`.
        public var body: MessageTemplate?
        public var contentType: String

        public init(
            url: String, maxAlerts: Int = 0, timeout: Duration = .seconds(10), headers: [(name: String, value: String)] = [],
            followRedirects: Bool = false, tls: TLSOptions = TLSOptions(), signer: OutboundSigner? = nil, body: MessageTemplate? = nil,
            contentType: String = "application/json"
        ) {
            self.url = url
            self.maxAlerts = maxAlerts
            self.timeout = timeout
            self.headers = headers
            self.followRedirects = followRedirects
            self.tls = tls
            self.signer = signer
            self.body = body
            self.contentType = contentType
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

    /// The body Alertmanager would send for these alerts, or the configured template's, truncated to `max_alerts`.
    public func body(for delivery: Delivery) -> [UInt8] { settings.payload(for: delivery) }

    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        let headers: [(name: String, value: String)] = [
            ("Content-Type", settings.contentType),
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

extension WebhookSink.Settings {
    /// The body Alertmanager would send for these alerts, or the configured template's, truncated to `max_alerts`.
    public func payload(for delivery: Delivery) -> [UInt8] {
        var delivery = delivery
        var notification = delivery.notification
        notification.receiver = delivery.receiver
        if maxAlerts > 0, notification.alerts.count > maxAlerts {
            notification.truncatedAlerts += notification.alerts.count - maxAlerts
            notification.alerts = Array(notification.alerts.prefix(maxAlerts))
        }
        if let template = body {
            delivery.notification = notification
            return Array(template.render(TemplateContext(delivery)).utf8)
        }
        return notification.jsonBytes()
    }
}
