import Foundation

/// The data a template sees, documented in the README ("Templates"). Built fresh for each message; keys whose
/// value would be empty are left out, so `{{#externalURL}}...{{/externalURL}}` shows only what is there.
public struct TemplateContext {
    var values: [String: Any]

    init(values: [String: Any]) {
        self.values = values
    }

    /// The notification one delivery carries, as sent to one receiver.
    public init(_ delivery: Delivery) {
        self.init(notification: delivery.notification, receiver: delivery.receiver)
        values["notificationID"] = delivery.notificationID
        values["source"] = delivery.source
        values["attempt"] = delivery.attempt
    }

    public init(notification: AlertNotification, receiver: String) {
        let counts = notification.counts
        let alerts = notification.alerts.map(Self.alert)
        var values: [String: Any] = [
            "receiver": receiver,
            "status": notification.status.rawValue,
            "firing": notification.status == .firing,
            "resolved": notification.status == .resolved,
            "name": Self.name(of: notification),
            "groupKey": notification.groupKey,
            "groupLabels": notification.groupLabels,
            "commonLabels": notification.commonLabels,
            "commonAnnotations": notification.commonAnnotations,
            "groupLabelList": Self.pairs(notification.groupLabels),
            "commonLabelList": Self.pairs(notification.commonLabels),
            "commonAnnotationList": Self.pairs(notification.commonAnnotations),
            "alerts": alerts,
            "firingAlerts": alerts.filter { $0["firing"] as? Bool == true },
            "resolvedAlerts": alerts.filter { $0["resolved"] as? Bool == true },
            "counts": ["firing": counts.firing, "resolved": counts.resolved, "total": notification.alerts.count],
            "test": notification.commonLabels["alertrelay_test"] != nil,
        ]
        if !notification.externalURL.isEmpty { values["externalURL"] = notification.externalURL }
        if notification.truncatedAlerts > 0 { values["truncatedAlerts"] = notification.truncatedAlerts }
        self.values = values
    }

    /// One alert, for a template that renders an alert at a time (`slack.alert`): the alert's keys, plus
    /// `group` for the notification's.
    public func alert(at index: Int) -> TemplateContext? {
        guard let alerts = values["alerts"] as? [[String: Any]], alerts.indices.contains(index) else { return nil }
        var alert = alerts[index]
        alert["group"] = values
        return TemplateContext(values: alert)
    }

    public var alertCount: Int { (values["alerts"] as? [Any])?.count ?? 0 }

    /// Adds a value computed from another template (`subject` for email bodies).
    public mutating func set(_ key: String, _ value: String) {
        values[key] = value
    }

    /// A group's name: its group labels' values, or the alert name they share, or "alerts".
    static func name(of notification: AlertNotification) -> String {
        let labels = notification.groupLabels.sorted { $0.key < $1.key }.map(\.value).filter { !$0.isEmpty }
        if !labels.isEmpty { return labels.joined(separator: " ") }
        return notification.commonLabels["alertname"] ?? "alerts"
    }

    static func alert(_ alert: Alert) -> [String: Any] {
        let summary = alert.annotations["summary"] ?? alert.annotations["description"] ?? alert.labels["alertname"] ?? "alert"
        var values: [String: Any] = [
            "status": alert.status.rawValue,
            "firing": alert.status == .firing,
            "resolved": alert.status == .resolved,
            "labels": alert.labels,
            "annotations": alert.annotations,
            "labelList": pairs(alert.labels),
            "annotationList": pairs(alert.annotations),
            "extraLabelList": pairs(alert.labels.filter { $0.key != "alertname" && $0.key != "severity" }),
            "summary": summary,
            "startsAt": alert.startsAt.rfc3339,
            "fingerprint": alert.fingerprint,
            "color": color(status: alert.status, severity: alert.labels["severity"]),
        ]
        if alert.annotations["summary"] != nil, let description = alert.annotations["description"], !description.isEmpty {
            values["description"] = description
        }
        if let severity = alert.labels["severity"], !severity.isEmpty { values["severity"] = severity }
        if let endsAt = alert.endsAt, alert.status == .resolved { values["endsAt"] = endsAt.rfc3339 }
        if !alert.generatorURL.isEmpty { values["generatorURL"] = alert.generatorURL }
        let links = [
            ("Runbook", alert.annotations["runbook_url"]), ("Source", alert.generatorURL), ("Silence", alert.silenceURL),
            ("Dashboard", alert.dashboardURL), ("Panel", alert.panelURL),
        ].compactMap { label, url in url.flatMap(webURL).map { ["label": label, "url": $0] } }
        if !links.isEmpty { values["links"] = links }
        return values
    }

    /// The colour of an alert's status and severity, as email and Slack show it.
    public static func color(status: AlertStatus, severity: String?) -> String {
        if status == .resolved { return "#2eb886" }
        switch severity?.lowercased() {
        case "critical", "page": return "#a30200"
        case "warning": return "#daa038"
        default: return "#439fe0"
        }
    }

    /// `http(s)` URLs only (no `javascript:`), with the characters that would end a Slack link encoded.
    static func webURL(_ text: String) -> String? {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        return text.replacingOccurrences(of: "|", with: "%7C").replacingOccurrences(of: ">", with: "%3E")
            .replacingOccurrences(of: "<", with: "%3C").replacingOccurrences(of: " ", with: "%20")
    }

    static func pairs(_ map: [String: String]) -> [[String: String]] {
        map.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] }
    }
}
