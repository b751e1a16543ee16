import Foundation

/// One webhook notification for a group of alerts, as Prometheus Alertmanager (payload version "4") and
/// Grafana Alerting (payload version "1", a superset) send it.
///
/// Decoding is tolerant of fields it does not know (newer senders add some) and strict about the ones it
/// does: a wrong type or a missing required field is a ``PayloadError`` naming the field path.
public struct AlertNotification: Sendable, Equatable, Codable {
    public var version: String
    public var status: AlertStatus
    public var receiver: String
    public var groupKey: String
    public var truncatedAlerts: Int
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    public var alerts: [Alert]

    // Grafana's additions (absent from Alertmanager's payload).
    public var orgId: Int?
    public var state: String?
    public var title: String?
    public var message: String?

    public init(
        version: String = "4",
        status: AlertStatus,
        receiver: String = "",
        groupKey: String = "",
        truncatedAlerts: Int = 0,
        groupLabels: [String: String] = [:],
        commonLabels: [String: String] = [:],
        commonAnnotations: [String: String] = [:],
        externalURL: String = "",
        alerts: [Alert],
        orgId: Int? = nil,
        state: String? = nil,
        title: String? = nil,
        message: String? = nil
    ) {
        self.version = version
        self.status = status
        self.receiver = receiver
        self.groupKey = groupKey
        self.truncatedAlerts = truncatedAlerts
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.alerts = alerts
        self.orgId = orgId
        self.state = state
        self.title = title
        self.message = message
    }

    /// Payload versions this decoder understands: Alertmanager's "4" and Grafana's "1".
    public static let supportedVersions: Set<String> = ["4", "1"]

    enum CodingKeys: String, CodingKey {
        case version, status, receiver, groupKey, truncatedAlerts, groupLabels, commonLabels, commonAnnotations
        case externalURL, alerts, orgId, state, title, message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.version = try c.decode(String.self, forKey: .version)
        guard Self.supportedVersions.contains(version) else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: c,
                debugDescription: "unsupported payload version \"\(version)\" (expected \"4\" from Alertmanager or \"1\" from Grafana)"
            )
        }
        self.status = try c.decode(AlertStatus.self, forKey: .status)
        self.receiver = try c.decodeIfPresent(String.self, forKey: .receiver) ?? ""
        self.groupKey = try c.decodeIfPresent(String.self, forKey: .groupKey) ?? ""
        self.truncatedAlerts = try c.decodeIfPresent(Int.self, forKey: .truncatedAlerts) ?? 0
        self.groupLabels = try c.decodeIfPresent(StringMap.self, forKey: .groupLabels)?.values ?? [:]
        self.commonLabels = try c.decodeIfPresent(StringMap.self, forKey: .commonLabels)?.values ?? [:]
        self.commonAnnotations = try c.decodeIfPresent(StringMap.self, forKey: .commonAnnotations)?.values ?? [:]
        self.externalURL = try c.decodeIfPresent(String.self, forKey: .externalURL) ?? ""
        self.alerts = try c.decode([Alert].self, forKey: .alerts)
        guard !alerts.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .alerts, in: c, debugDescription: "must hold at least one alert")
        }
        self.orgId = try c.decodeIfPresent(Int.self, forKey: .orgId)
        self.state = try c.decodeIfPresent(String.self, forKey: .state)
        self.title = try c.decodeIfPresent(String.self, forKey: .title)
        self.message = try c.decodeIfPresent(String.self, forKey: .message)
    }

    /// How many of the alerts are firing and how many resolved.
    public var counts: (firing: Int, resolved: Int) {
        let firing = alerts.count { $0.status == .firing }
        return (firing, alerts.count - firing)
    }
}

/// A JSON object of strings (labels, annotations), decoded key by key through a keyed container: with
/// Foundation's JSONDecoder, `[String: String]`'s generic conformance cost about half of all decoding (measured
/// with callgrind). Errors are the same: a non-string value is a type mismatch at its key.
struct StringMap: Decodable {
    var values: [String: String]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: String] = [:]
        values.reserveCapacity(container.allKeys.count)
        for key in container.allKeys {
            values[key.stringValue] = try container.decode(String.self, forKey: key)
        }
        self.values = values
    }
}
