import Foundation

/// Slack incoming webhooks (`slack_configs`). Slack answers 200 `ok`; 400 `invalid_payload`/`no_text`, 403,
/// 404 and 410 `channel_is_archived` are permanent; 429 (with `Retry-After`), 5xx and network errors are
/// transient: the shared rule, with Slack's answer kept in the attempt record.
public struct SlackSink: Sink {
    public struct Settings: Sendable {
        /// The incoming-webhook URL. It is a credential: it is never logged or shown.
        public var url: String
        public var options: SlackMessage.Options
        public var timeout: Duration

        public init(url: String, options: SlackMessage.Options = .standard, timeout: Duration = .seconds(10)) {
            self.url = url
            self.options = options
            self.timeout = timeout
        }
    }

    public let settings: Settings
    let transport: any HTTPTransport
    let now: @Sendable () -> Date

    public var kind: String { "slack" }

    public init(settings: Settings, transport: any HTTPTransport, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.transport = transport
        self.now = now
    }

    public func body(for delivery: Delivery) -> [UInt8] { settings.payload(for: delivery) }

    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        let request = OutboundRequest(
            url: settings.url,
            headers: [("Content-Type", "application/json; charset=utf-8"), ("User-Agent", "AlertRelay/\(AlertRelayVersion.current)")],
            body: body(for: delivery), timeout: settings.timeout
        )
        return await transport.deliver(request, now: now())
    }
}

extension SlackSink.Settings {
    /// The JSON posted to the incoming webhook.
    public func payload(for delivery: Delivery) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array((try? encoder.encode(SlackMessage(delivery, options: options))) ?? Data())
    }
}
