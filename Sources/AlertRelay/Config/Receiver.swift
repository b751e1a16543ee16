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
    }

    public var address: SinkAddress
    public var sendResolved: Bool
    public var kind: Kind
    public var limits: SinkLimits
}
