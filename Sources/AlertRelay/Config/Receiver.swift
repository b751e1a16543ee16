import Foundation
import Yams

/// A receiver as the service uses it: its sinks, each with the address its jobs carry, and its retry policy.
public struct Receiver: Sendable {
    public var name: String
    public var sinks: [ReceiverSink]
    public var retry: RetryPolicy
}

public struct ReceiverSink: Sendable {
    public enum Kind: Sendable {
        /// Appends to the JSON Lines file at this path.
        case file(path: String)
        /// POSTs Alertmanager's JSON.
        case webhook(WebhookSink.Settings)
        /// Posts a Block Kit message to a Slack incoming webhook.
        case slack(SlackSink.Settings)
        /// Sends a MIME message over SMTP.
        case email(EmailSink.Settings)
        /// Posts an on-call service's own JSON message (PagerDuty, Opsgenie, Teams, Discord, Telegram).
        case api(APISink.Settings)
    }

    public var address: SinkAddress
    public var sendResolved: Bool
    public var kind: Kind
    public var limits: SinkLimits
}

extension ReceiverSink {
    /// What this sink sends for a delivery, byte for byte (`alertrelay templates --render --receiver`): the
    /// webhook's body, Slack's JSON, the email's MIME message; nil when it sends nothing (a resolved
    /// notification to a sink without `send_resolved`).
    public func preview(_ delivery: Delivery, now: Date) -> [UInt8]? {
        guard let notification = share(of: delivery.notification) else { return nil }
        var delivery = delivery
        delivery.notification = notification
        switch kind {
        case .file: return delivery.notification.jsonBytes()
        case .webhook(let settings): return settings.payload(for: delivery)
        case .slack(let settings): return settings.payload(for: delivery)
        case .email(let settings): return settings.message.render(delivery, now: now)
        case .api(let settings): return settings.message(delivery)
        }
    }

    /// The alerts of a notification this sink takes: resolved ones only with `send_resolved`; nil when that
    /// leaves none.
    func share(of notification: AlertNotification) -> AlertNotification? {
        guard !sendResolved, notification.alerts.contains(where: { $0.status == .resolved }) else { return notification }
        var share = notification
        share.alerts.removeAll { $0.status == .resolved }
        return share.alerts.isEmpty ? nil : share
    }
}
