import Crypto
import Foundation

/// An on-call service's HTTP API (PagerDuty, Opsgenie, Microsoft Teams, Discord, Telegram): a JSON message
/// built from the notification by the service's own folder, posted to the service, and the answer judged by
/// the shared HTTP rule (`Retry-After` honoured), then by the service's own where it has one (Telegram's
/// `retry_after` in the body).
public struct APISink: Sink {
    public struct Settings: Sendable {
        /// `pagerduty`, `opsgenie`, `msteams`, `discord`, `telegram`: the metrics' and logs' sink kind.
        public var service: String
        /// Where one delivery goes (Opsgenie closes an alert at a URL of its own).
        public var endpoint: @Sendable (Delivery) -> String
        public var headers: [(name: String, value: String)]
        public var timeout: Duration
        public var tls: TLSOptions
        /// The body for one delivery, exactly as sent.
        public var message: @Sendable (Delivery) -> [UInt8]
        /// The service's reading of an answer, where it differs from the shared rule; nil keeps the shared one.
        public var judge: @Sendable (OutboundResponse, Date) -> DeliveryOutcome?

        public init(
            service: String, url: String, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(10),
            tls: TLSOptions = TLSOptions(), message: @escaping @Sendable (Delivery) -> [UInt8],
            judge: @escaping @Sendable (OutboundResponse, Date) -> DeliveryOutcome? = { _, _ in nil },
            endpoint: (@Sendable (Delivery) -> String)? = nil
        ) {
            self.service = service
            self.endpoint = endpoint ?? { _ in url }
            self.headers = headers
            self.timeout = timeout
            self.tls = tls
            self.message = message
            self.judge = judge
        }
    }

    public let settings: Settings
    let transport: any HTTPTransport
    let now: @Sendable () -> Date

    public var kind: String { settings.service }

    public init(settings: Settings, transport: any HTTPTransport, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.transport = transport
        self.now = now
    }

    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        let request = OutboundRequest(
            url: settings.endpoint(delivery),
            headers: [("Content-Type", "application/json"), ("User-Agent", "AlertRelay/\(AlertRelayVersion.current)")] + settings.headers,
            body: settings.message(delivery), timeout: settings.timeout, tls: settings.tls
        )
        let now = now()
        return await transport.deliver(request, now: now) { settings.judge($0, now) }
    }
}

extension AlertNotification {
    /// The SHA-256 (hex) of the group key, as Alertmanager keys a group's incident: PagerDuty's `dedup_key`,
    /// Opsgenie's alias. The same for a group's firing and resolved notifications.
    var groupKeyHash: String { Hex.encode(SHA256.hash(data: Array(groupKey.utf8))) }
}

/// A message as the services' folders build it: JSON with sorted keys (stable bodies, readable tests) and no
/// `\/`. A value type of strings and numbers always encodes; were it not to, an empty object goes out.
func apiJSON(_ value: some Encodable) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
}
