import Foundation

/// Alertmanager's label-set fingerprint: FNV-1a (64 bit) over the label names in sorted order, each name and
/// value followed by the byte 0xff, printed as 16 hex digits (prometheus/common `model.LabelSet.Fingerprint`).
public enum Fingerprint {
    public static func of(labels: [String: String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add<S: Sequence<UInt8>>(_ bytes: S) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        for name in labels.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            add(name.utf8)
            add(CollectionOfOne(0xff))
            add(labels[name, default: ""].utf8)
            add(CollectionOfOne(0xff))
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
