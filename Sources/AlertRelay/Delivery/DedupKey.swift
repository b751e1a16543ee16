import Crypto
import Foundation

/// What makes two notifications the same for one sink: the group, its status and the exact set of alerts
/// (fingerprint, status, start). Never the raw bytes: two unclustered Alertmanagers send bodies that differ
/// only in `externalURL`. A reminder after `repeat_interval` carries the same key and is let through because
/// the dedup window (minutes) is shorter than the repeat interval (hours).
public enum DedupKey {
    public static func of(_ notification: Notification, for address: SinkAddress) -> String {
        var parts = [address.receiver, address.sink, notification.groupKey, notification.status.rawValue]
        let alerts = notification.alerts
            .map { "\($0.fingerprint)|\($0.status.rawValue)|\($0.startsAt.rfc3339)" }
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
