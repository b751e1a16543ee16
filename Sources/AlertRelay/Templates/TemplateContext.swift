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
        let externalURL = Self.webURL(notification.externalURL)
        let alerts = notification.alerts.map { Self.alert($0, externalURL: externalURL) }
        let firingAlerts = alerts.filter { $0["firing"] as? Bool == true }
        let resolvedAlerts = alerts.filter { $0["resolved"] as? Bool == true }
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
            "firingAlerts": firingAlerts,
            "resolvedAlerts": resolvedAlerts,
            // Firing and resolved alerts of one group, shown apart: only the parts that have alerts.
            "alertSections": [("Firing", firingAlerts), ("Resolved", resolvedAlerts)].filter { !$0.1.isEmpty }.map { heading, alerts in
                ["heading": heading, "count": alerts.count, "alerts": alerts] as [String: Any]
            },
            "counts": ["firing": counts.firing, "resolved": counts.resolved, "total": notification.alerts.count],
            "test": notification.commonLabels["alertrelay_test"] != nil,
        ]
        // Links are only ever http(s): an `externalURL: "javascript:..."` is not offered to anyone to click.
        if let externalURL { values["externalURL"] = externalURL }
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

    static func alert(_ alert: Alert, externalURL: String?) -> [String: Any] {
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
            "startsAtUnix": Int64(alert.startsAt.date.timeIntervalSince1970.rounded(.down)),
            "fingerprint": alert.fingerprint,
            "color": color(status: alert.status, severity: alert.labels["severity"]),
        ]
        if alert.annotations["summary"] != nil, let description = alert.annotations["description"], !description.isEmpty {
            values["description"] = description
        }
        if let severity = alert.labels["severity"], !severity.isEmpty { values["severity"] = severity }
        if let endsAt = alert.endsAt, alert.status == .resolved { values["endsAt"] = endsAt.rfc3339 }
        if !alert.generatorURL.isEmpty { values["generatorURL"] = alert.generatorURL }
        if let valueString = alert.valueString, !valueString.isEmpty { values["valueString"] = valueString }
        let silence = alert.silenceURL ?? (alert.status == .firing ? externalURL.map { silenceURL(externalURL: $0, labels: alert.labels) } : nil)
        let links = [
            ("Runbook", alert.annotations["runbook_url"]), ("Dashboard", alert.dashboardURL ?? alert.annotations["dashboard_url"]),
            ("Panel", alert.panelURL), ("Source", alert.generatorURL), ("Silence", silence),
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

    /// Alertmanager's page for a new silence, its matchers filled in with the alert's labels (as its UI's own
    /// "Silence" button does): `<externalURL>/#/silences/new?filter={alertname="DiskFull",instance="db1"}`.
    static func silenceURL(externalURL: String, labels: [String: String]) -> String {
        let matchers = labels.sorted { $0.key < $1.key }.map { name, value in
            Matcher.quoted(name: name, op: "=", value: value)
        }
        let filter = "{" + matchers.joined(separator: ",") + "}"
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        let base = externalURL.hasSuffix("/") ? String(externalURL.dropLast()) : externalURL
        return base + "/#/silences/new?filter=" + (filter.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
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
