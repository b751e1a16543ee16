import Crypto
import Foundation

/// What makes two notifications the same for one sink: who sent it (the source, or the dedup group it shares
/// with an HA peer's source), the group, its status and the exact set of alerts (their labels' fingerprint,
/// status, start). Never the raw bytes: two unclustered Alertmanagers send bodies that differ only in
/// `externalURL`. A reminder after `repeat_interval` carries the same key and is let through because the dedup
/// window (minutes) is shorter than the repeat interval (hours).
///
/// The fingerprint is computed here from the labels, never taken from the payload: a sender could otherwise
/// claim a real alert's fingerprint for labels of its own and have the real one answered as a duplicate.
public enum DedupKey {
    /// - Parameter scope: ``Source/dedupScope``: a source never suppresses what another sends.
    public static func of(_ notification: AlertNotification, for address: SinkAddress, scope: String) -> String {
        var parts = [scope, address.receiver, address.sink, notification.groupKey, notification.status.rawValue]
        let alerts = notification.alerts
            .map { "\(Fingerprint.of(labels: $0.labels))|\($0.status.rawValue)|\($0.startsAt.rfc3339)" }
            .sorted()
        parts.append(contentsOf: alerts)
        // Length-prefixed, so no choice of label values can make two different sets collide.
        var buffer = [UInt8]()
        buffer.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count + 8 })
        for part in parts {
            buffer.append(contentsOf: String(part.utf8.count).utf8)
            buffer.append(UInt8(ascii: ":"))
            buffer.append(contentsOf: part.utf8)
        }
        return Hex.encode(SHA256.hash(data: buffer))
    }
}
