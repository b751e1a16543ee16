import Foundation

/// Alertmanager's JSON for a notification, written straight into bytes: the webhook sink's body and the
/// queue's stored share of a notification. JSONEncoder took a quarter of a delivery's instructions
/// (callgrind). The fields and their order are `Codable`'s (AlertNotification's keys, then each Alert's own
/// `encode(to:)`); label maps are written with sorted keys. Grafana's `values` (numbers as Doubles) are left to
/// JSONEncoder, so that both print them alike. The tests check that JSONDecoder reads back the same
/// notification and that JSONSerialization sees the same document as JSONEncoder's.
extension AlertNotification {
    public func jsonBytes() -> [UInt8] {
        if alerts.contains(where: { $0.values != nil }) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            if let data = try? encoder.encode(self) { return Array(data) }
        }
        var out = PayloadWriter()
        out.object { out in
            out.field("version") { $0.string(version) }
            out.field("status") { $0.string(status.rawValue) }
            out.field("receiver") { $0.string(receiver) }
            out.field("groupKey") { $0.string(groupKey) }
            out.field("truncatedAlerts") { $0.integer(truncatedAlerts) }
            out.field("groupLabels") { $0.map(groupLabels) }
            out.field("commonLabels") { $0.map(commonLabels) }
            out.field("commonAnnotations") { $0.map(commonAnnotations) }
            out.field("externalURL") { $0.string(externalURL) }
            out.field("alerts") { out in
                out.array(alerts) { out, alert in alert.write(to: &out) }
            }
            if let orgId { out.field("orgId") { $0.integer(orgId) } }
            if let state { out.field("state") { $0.string(state) } }
            if let title { out.field("title") { $0.string(title) } }
            if let message { out.field("message") { $0.string(message) } }
        }
        return out.bytes
    }
}

extension Alert {
    fileprivate func write(to out: inout PayloadWriter) {
        out.object { out in
            out.field("status") { $0.string(status.rawValue) }
            out.field("labels") { $0.map(labels) }
            out.field("annotations") { $0.map(annotations) }
            out.field("startsAt") { $0.string(startsAt.rfc3339) }
            out.field("endsAt") { $0.string((endsAt ?? .goZero).rfc3339) }
            out.field("generatorURL") { $0.string(generatorURL) }
            out.field("fingerprint") { $0.string(fingerprint) }
            if let silenceURL { out.field("silenceURL") { $0.string(silenceURL) } }
            if let dashboardURL { out.field("dashboardURL") { $0.string(dashboardURL) } }
            if let panelURL { out.field("panelURL") { $0.string(panelURL) } }
            if let valueString { out.field("valueString") { $0.string(valueString) } }
        }
    }
}

/// A JSON writer for the shapes above: objects, arrays, strings, integers.
struct PayloadWriter {
    private(set) var bytes: [UInt8] = []
    private var first = true

    init() {
        bytes.reserveCapacity(1024)
    }

    mutating func object(_ members: (inout PayloadWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    mutating func field(_ key: String, _ value: (inout PayloadWriter) -> Void) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        string(key)
        bytes.append(UInt8(ascii: ":"))
        value(&self)
        first = false
    }

    mutating func array<T>(_ elements: [T], _ element: (inout PayloadWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func map(_ map: [String: String]) {
        object { out in
            for key in map.keys.sorted() {
                out.field(key) { $0.string(map[key] ?? "") }
            }
        }
    }

    mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A JSON string, escaped by the one escaper (``JSONEscaping``).
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        JSONEscaping.append(text, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
}
