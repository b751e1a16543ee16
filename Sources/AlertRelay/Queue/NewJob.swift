import Foundation

/// A delivery job about to be written: the notification as this sink gets it.
public struct NewJob: Sendable {
    public var address: SinkAddress
    public var payload: AlertNotification
    /// `nil` to bypass deduplication (a test-fire, a muted notification).
    public var dedupKey: String?
    /// The payload as JSON when it is already at hand: the body as received, when the sink gets every alert
    /// of it. It decodes to `payload` (unknown fields are ignored), and saves encoding it again on the
    /// ingest path.
    public var encodedPayload: [UInt8]?
    /// Set to record the job as muted, with why, instead of queueing it.
    public var mutedBecause: String?

    public init(
        address: SinkAddress, payload: AlertNotification, dedupKey: String?, encodedPayload: [UInt8]? = nil, mutedBecause: String? = nil
    ) {
        self.address = address
        self.payload = payload
        self.dedupKey = dedupKey
        self.encodedPayload = encodedPayload
        self.mutedBecause = mutedBecause
    }
}
