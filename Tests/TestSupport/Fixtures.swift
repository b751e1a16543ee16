import Foundation

/// The captures in `Tests/Fixtures`, the one fixtures directory every test target reads: real Alertmanager
/// 0.25 requests, a Grafana payload and the published signature vectors (its README.md says where each came
/// from). The end-to-end tests and the benchmarks read the same directory.
public enum Fixtures {
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    public static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    public static func signatures() throws -> [String: [String: String]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("signatures.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return object.compactMapValues { $0 as? [String: String] }
    }

    public static let alertmanager = [
        "alertmanager/01-firing-2-alerts.json",
        "alertmanager/02-firing-1-resolved-1-firing.json",
        "alertmanager/03-resolved.json",
        "alertmanager/04-truncated-max-alerts-2.json",
        "alertmanager/05-amtool-no-auth.json",
    ]
    public static let grafana = "grafana/01-firing-signed.json"
}
