import Foundation

/// Alertmanager's `email_configs`, sent through libcurl's SMTP. SMTP 4xx replies, connection failures and
/// timeouts are transient; 5xx replies and failed authentication are permanent.
public struct EmailSink: Sink {
    public struct Settings: Sendable {
        public var message: EmailMessage
        /// `smtp://host:port` or `smtps://host:port`.
        public var server: String
        public var hello: String
        public var username: String?
        public var password: Secret?
        public var requireTLS: Bool
        public var tls: TLSOptions
        public var timeout: Duration

        public init(
            message: EmailMessage, server: String, hello: String = "localhost", username: String? = nil, password: Secret? = nil,
            requireTLS: Bool = true, tls: TLSOptions = TLSOptions(), timeout: Duration = .seconds(30)
        ) {
            self.message = message
            self.server = server
            self.hello = hello
            self.username = username
            self.password = password
            self.requireTLS = requireTLS
            self.tls = tls
            self.timeout = timeout
        }
    }

    public let settings: Settings
    let transport: any MailTransport
    let now: @Sendable () -> Date

    public var kind: String { "email" }

    public init(settings: Settings, transport: any MailTransport, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.transport = transport
        self.now = now
    }

    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        let mail = OutboundMail(
            server: settings.server, hello: settings.hello, from: Self.address(settings.message.from),
            recipients: settings.message.to.map(Self.address), message: settings.message.render(delivery, now: now()),
            username: settings.username, password: settings.password, requireTLS: settings.requireTLS, tls: settings.tls,
            timeout: settings.timeout
        )
        switch await transport.send(mail) {
        case .success(let code):
            return .delivered(status: code, response: "accepted by \(settings.server)")
        case .failure(let failure):
            // The password never reaches an outcome, whatever a server or curl echoes.
            var error = failure
            if let password = settings.password.map({ String(decoding: $0.bytes, as: UTF8.self) }), !password.isEmpty {
                error.message = error.message.replacingOccurrences(of: password, with: "<secret>")
            }
            switch (error.kind, error.replyCode) {
            case (.authentication, let code?) where (400..<500).contains(code):
                // 454: a temporary authentication failure (RFC 4954), worth retrying like any 4xx.
                return .transient(reason: "SMTP \(code) (authentication)", status: code, response: error.message, retryAfter: nil)
            case (.authentication, _):
                return .permanent(reason: "SMTP authentication failed", status: error.replyCode, response: error.message)
            case (_, let code?) where code >= 500:
                return .permanent(reason: "SMTP \(code)", status: code, response: error.message)
            case (_, let code?) where code >= 400:
                return .transient(reason: "SMTP \(code)", status: code, response: error.message, retryAfter: nil)
            default:
                return .transient(reason: error.description, status: error.replyCode, response: error.message, retryAfter: nil)
            }
        }
    }

    /// The bare address of `Name <user@example.org>`, as the SMTP envelope needs it, without CR/LF.
    static func address(_ text: String) -> String {
        var address = text
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            address = String(text[text.index(after: open)..<close])
        }
        return address.filter { !$0.isNewline && $0 != "\0" && $0 != "<" && $0 != ">" }.trimmingCharacters(in: .whitespaces)
    }
}
