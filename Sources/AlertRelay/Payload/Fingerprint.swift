import Foundation

/// Alertmanager's label-set fingerprint: FNV-1a (64 bit) over the label names in sorted order, each name and
/// value followed by the byte 0xff, printed as 16 hex digits (prometheus/common `model.LabelSet.Fingerprint`).
public enum Fingerprint {
    public static func of(labels: [String: String]) -> String {
        var hash = FNV1a()
        for name in labels.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            hash.add(name.utf8)
            hash.add(CollectionOfOne(0xff))
            hash.add(labels[name, default: ""].utf8)
            hash.add(CollectionOfOne(0xff))
        }
        let hex = String(hash.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
