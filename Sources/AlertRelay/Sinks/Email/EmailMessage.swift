import Crypto
import Foundation

/// A MIME message for a group of alerts: `multipart/alternative` with a plain-text and an HTML part, `Date`,
/// `Message-Id`, and `References`/`In-Reply-To` derived from the group key so that a mail client keeps one
/// thread per alert group. Every value from an alert is untrusted: CR, LF and NUL never reach a header,
/// non-ASCII header text is RFC 2047 encoded, and HTML is escaped.
public struct EmailMessage: Sendable {
    public var from: String
    public var to: [String]
    public var subject: MessageTemplate
    public var text: MessageTemplate
    public var html: MessageTemplate
    /// Extra headers from the config, their values templates like the subject.
    public var headers: [(name: String, value: MessageTemplate)]

    /// `headers` are Alertmanager's: `Subject` there replaces the default subject, and every value is a
    /// template. `text` and `html` replace the default bodies; `{{> name}}` includes a template of `library`.
    public init(
        from: String, to: [String], headers: [String: String] = [:], text: String? = nil, html: String? = nil,
        library: TemplateLibrary = .defaults
    ) throws(TemplateError) {
        self.from = from
        self.to = to
        let subjectKey = headers.keys.first { $0.lowercased() == "subject" }
        subject = try .compile(
            subjectKey.flatMap { headers[$0] }, key: "headers.\(subjectKey ?? "Subject")", default: "email.subject", format: .text,
            library: library
        )
        self.text = try .compile(text, key: "text", default: "email.text", format: .text, library: library)
        self.html = try .compile(html, key: "html", default: "email.html", format: .html, library: library)
        var extra: [(name: String, value: MessageTemplate)] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) where name != subjectKey {
            extra.append((name, try library.template(value, format: .text, key: "headers.\(name)")))
        }
        self.headers = extra
    }

    public func render(_ delivery: Delivery, now: Date) -> [UInt8] {
        var context = TemplateContext(delivery)
        let subject = subject.render(context)
        context.set("subject", subject)
        let thread = "<group-\(Self.digest(delivery.receiver + "\u{0}" + delivery.notification.groupKey))@alertrelay>"
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
        for (name, value) in headers where !reserved.contains(name.lowercased()) {
            let safeName = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            if !safeName.isEmpty { lines.append("\(safeName): \(Self.headerValue(value.render(context)))") }
        }
        lines += [
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(Self.crlf(text.render(context))),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(Self.crlf(html.render(context))),
            "--\(boundary)--",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// MIME text parts end their lines with CRLF.
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
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
