import Foundation

/// A message to hand to an SMTP server.
public struct OutboundMail: Sendable {
    /// `smtp://host:port` (STARTTLS when `requireTLS`) or `smtps://host:port` (implicit TLS).
    public var server: String
    /// The name sent with EHLO.
    public var hello: String
    public var from: String
    public var recipients: [String]
    public var message: [UInt8]
    public var username: String?
    public var password: Secret?
    public var requireTLS: Bool
    public var tls: TLSOptions
    public var timeout: Duration

    public init(
        server: String, hello: String, from: String, recipients: [String], message: [UInt8], username: String? = nil,
        password: Secret? = nil, requireTLS: Bool = true, tls: TLSOptions = TLSOptions(), timeout: Duration = .seconds(30)
    ) {
        self.server = server
        self.hello = hello
        self.from = from
        self.recipients = recipients
        self.message = message
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.tls = tls
        self.timeout = timeout
    }
}

/// Why an SMTP transaction failed: the server's reply code when there was one (curl reports 4xx and 5xx
/// replies as the same error, so the code is what tells them apart).
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case connection, timeout, tls, authentication, rejected, other
    }

    public var kind: Kind
    public var replyCode: Int?
    public var message: String

    public init(kind: Kind, replyCode: Int?, message: String) {
        self.kind = kind
        self.replyCode = replyCode
        self.message = message
    }

    public var description: String {
        replyCode.map { "SMTP \($0): \(message)" } ?? message
    }
}

/// Sends mail. The real one is libcurl's SMTP (AlertRelayCurl).
public protocol MailTransport: Sendable {
    /// The final reply code on success (250).
    func send(_ mail: OutboundMail) async -> Result<Int, MailError>
}
