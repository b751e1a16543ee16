import Foundation

/// One alert of a ``AlertNotification``.
public struct Alert: Sendable, Equatable, Codable {
    public var status: AlertStatus
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Timestamp
    /// `nil` when the sender sent Go's zero time (`0001-01-01T00:00:00Z`): the end is not known yet.
    public var endsAt: Timestamp?
    public var generatorURL: String
    /// Alertmanager's fingerprint of the label set; computed the same way when a sender leaves it out.
    public var fingerprint: String

    // Grafana's additions.
    public var silenceURL: String?
    public var dashboardURL: String?
    public var panelURL: String?
    public var values: [String: Double]?
    public var valueString: String?

    public init(
        status: AlertStatus,
        labels: [String: String],
        annotations: [String: String] = [:],
        startsAt: Timestamp,
        endsAt: Timestamp? = nil,
        generatorURL: String = "",
        fingerprint: String? = nil,
        silenceURL: String? = nil,
        dashboardURL: String? = nil,
        panelURL: String? = nil,
        values: [String: Double]? = nil,
        valueString: String? = nil
    ) {
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.fingerprint = fingerprint ?? Fingerprint.of(labels: labels)
        self.silenceURL = silenceURL
        self.dashboardURL = dashboardURL
        self.panelURL = panelURL
        self.values = values
        self.valueString = valueString
    }

    enum CodingKeys: String, CodingKey {
        case status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint
        case silenceURL, dashboardURL, panelURL, values, valueString
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.status = try c.decode(AlertStatus.self, forKey: .status)
        self.labels = try c.decode(StringMap.self, forKey: .labels).values
        self.annotations = try c.decodeIfPresent(StringMap.self, forKey: .annotations)?.values ?? [:]
        self.startsAt = try c.decode(Timestamp.self, forKey: .startsAt)
        self.endsAt = try c.decodeIfPresent(Timestamp.self, forKey: .endsAt).flatMap { $0.isGoZero ? nil : $0 }
        self.generatorURL = try c.decodeIfPresent(String.self, forKey: .generatorURL) ?? ""
        let fingerprint = try c.decodeIfPresent(String.self, forKey: .fingerprint) ?? ""
        self.fingerprint = fingerprint.isEmpty ? Fingerprint.of(labels: labels) : fingerprint
        self.silenceURL = try c.decodeIfPresent(String.self, forKey: .silenceURL)
        self.dashboardURL = try c.decodeIfPresent(String.self, forKey: .dashboardURL)
        self.panelURL = try c.decodeIfPresent(String.self, forKey: .panelURL)
        self.values = try c.decodeIfPresent([String: Double].self, forKey: .values)
        self.valueString = try c.decodeIfPresent(String.self, forKey: .valueString)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(labels, forKey: .labels)
        try c.encode(annotations, forKey: .annotations)
        try c.encode(startsAt, forKey: .startsAt)
        try c.encode(endsAt ?? .goZero, forKey: .endsAt)
        try c.encode(generatorURL, forKey: .generatorURL)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encodeIfPresent(silenceURL, forKey: .silenceURL)
        try c.encodeIfPresent(dashboardURL, forKey: .dashboardURL)
        try c.encodeIfPresent(panelURL, forKey: .panelURL)
        try c.encodeIfPresent(values, forKey: .values)
        try c.encodeIfPresent(valueString, forKey: .valueString)
    }
}
