import Foundation

/// An integration: its only jobs are to send and to say whether a failure is worth retrying
/// (Alertmanager's `notify.Notifier`). Retry, dedup and bookkeeping live in the queue, not here.
public protocol Sink: Sendable {
    /// `file`, `webhook`, `email`, `slack`.
    var kind: String { get }
    func deliver(_ delivery: Delivery) async -> DeliveryOutcome
}
