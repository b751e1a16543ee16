import Crypto
import Foundation

/// A MIME message for a group of alerts: `multipart/alternative` with a plain-text and an HTML part, `Date`,
/// `Message-Id`, and `References`/`In-Reply-To` derived from the group key so that a mail client keeps one
/// thread per alert group. Every value from an alert is untrusted: CR, LF and NUL never reach a header,
/// non-ASCII header text is RFC 2047 encoded, and HTML is escaped.
public struct EmailMessage: Sendable {
    public var from: String
    public var to: [String]
    /// Extra headers from the config; `Subject` here replaces the generated subject.
    public var headers: [String: String]

    public init(from: String, to: [String], headers: [String: String] = [:]) {
        self.from = from
        self.to = to
        self.headers = headers
    }

    public func render(_ delivery: Delivery, now: Date) -> [UInt8] {
        let notification = delivery.notification
        let subject = headers.first { $0.key.lowercased() == "subject" }?.value ?? Self.subject(notification)
        let thread = "<group-\(Self.digest(delivery.receiver + "\u{0}" + notification.groupKey))@alertrelay>"
        let boundary = "alertrelay-\(Self.digest(delivery.notificationID + String(delivery.jobID)).prefix(24))"
        var lines = [
            "From: \(Self.headerValue(from))",
            "To: \(to.map(Self.headerValue).joined(separator: ", "))",
            "Subject: \(Self.headerValue(subject))",
            "Date: \(Self.rfc5322(now))",
            "Message-Id: <\(delivery.notificationID).\(delivery.jobID)@alertrelay>",
            "In-Reply-To: \(thread)",
            "References: \(thread)",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "X-AlertRelay-Notification-Id: \(delivery.notificationID)",
        ]
        let reserved: Set<String> = ["from", "to", "subject", "date", "message-id", "in-reply-to", "references", "mime-version", "content-type"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) where !reserved.contains(name.lowercased()) {
            let safeName = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            if !safeName.isEmpty { lines.append("\(safeName): \(Self.headerValue(value))") }
        }
        lines += [
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(Self.plainText(notification)),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(Self.html(notification, subject: subject)),
            "--\(boundary)--",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    public static func subject(_ notification: Notification) -> String {
        let counts = notification.counts
        let state = notification.status == .firing ? "FIRING:\(counts.firing)" : "RESOLVED"
        let labels = notification.groupLabels.sorted { $0.key < $1.key }.map(\.value).joined(separator: " ")
        return "[\(state)] \(labels.isEmpty ? (notification.commonLabels["alertname"] ?? "alerts") : labels)"
    }

    /// A header value that cannot start a new header: CR, LF, NUL and other controls become spaces, and
    /// non-ASCII text is RFC 2047 encoded.
    static func headerValue(_ value: String) -> String {
        let flat = String(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? " " : Character($0) })
        guard !flat.allSatisfy(\.isASCII) else { return String(flat.prefix(900)) }
        // Encoded words of at most 45 input bytes each, so no line grows past 76 characters.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in flat.prefix(300) {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func plainText(_ notification: Notification) -> String {
        var lines = [subject(notification), ""]
        for alert in notification.alerts {
            lines.append("[\(alert.status.rawValue.uppercased())] \(alert.annotations["summary"] ?? alert.labels["alertname"] ?? "alert")")
            if let description = alert.annotations["description"] { lines.append("  \(description)") }
            for (name, value) in alert.labels.sorted(by: { $0.key < $1.key }) { lines.append("  \(name) = \(value)") }
            if let runbook = alert.annotations["runbook_url"] { lines.append("  Runbook: \(runbook)") }
            if !alert.generatorURL.isEmpty { lines.append("  Source: \(alert.generatorURL)") }
            lines.append("  Started: \(alert.startsAt.rfc3339)")
            lines.append("")
        }
        if notification.truncatedAlerts > 0 { lines.append("…and \(notification.truncatedAlerts) more alerts (truncated by the sender)") }
        return lines.joined(separator: "\r\n")
    }

    static func html(_ notification: Notification, subject: String) -> String {
        var html = "<!DOCTYPE html><html><body><h2>\(escape(subject))</h2>"
        for alert in notification.alerts {
            let color = alert.status == .resolved ? "#2eb886" : (alert.labels["severity"] == "critical" ? "#a30200" : "#daa038")
            html += "<div style=\"border-left:4px solid \(color);padding-left:8px;margin-bottom:12px\">"
            html += "<strong>\(escape(alert.annotations["summary"] ?? alert.labels["alertname"] ?? "alert"))</strong>"
            if let description = alert.annotations["description"] { html += "<p>\(escape(description))</p>" }
            html += "<table>"
            for (name, value) in alert.labels.sorted(by: { $0.key < $1.key }) {
                html += "<tr><td>\(escape(name))</td><td>\(escape(value))</td></tr>"
            }
            html += "</table>"
            for (label, url) in [("Runbook", alert.annotations["runbook_url"]), ("Source", alert.generatorURL)] {
                if let url, url.hasPrefix("http://") || url.hasPrefix("https://") {
                    html += "<a href=\"\(escape(url))\">\(label)</a> "
                }
            }
            html += "</div>"
        }
        return html + "</body></html>"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [Substring] = []
        var rest = encoded[...]
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    static func digest(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Array(text.utf8)).prefix(16))
    }
}
