import Foundation
import Logging

/// What the sender is told when its webhook was taken in.
public struct IngestReceipt: Sendable, Equatable {
    public var id: String
    public var source: String
    public var alerts: Int
    public var firing: Int
    public var resolved: Int
    /// The receivers its alerts were routed to and will be delivered to.
    public var receivers: [String]
    /// Receivers its alerts were routed to during a mute: recorded as `muted`, not sent.
    public var muted: [String]
    /// Set when this webhook was already accepted (a replayed or retried delivery): the first one's id.
    public var duplicateOf: String?
}
