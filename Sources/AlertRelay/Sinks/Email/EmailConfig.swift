import Foundation

/// Alertmanager's `email_config`, plus AlertRelay's per-sink limits.
public struct EmailConfig: Sendable, Decodable {
    public var to: [String]
    /// `from`, `smarthost`, `hello`, `auth_*` and `require_tls` default to `global.smtp_*`.
    public var from: String?
    public var smarthost: String?
    public var hello: String?
    public var authUsername: String?
    public var authPassword: SecretRef?
    public var requireTLS: Bool?
    public var tls: (caFile: String?, insecureSkipVerify: Bool)
    /// Header values (`Subject` included) and the two bodies are templates.
    public var headers: [String: String]
    public var text: String?
    public var html: String?
    public var options: SinkOptions

    enum CodingKeys: String, CodingKey, CaseIterable {
        case to, from, smarthost, hello, authUsername = "auth_username", authPassword = "auth_password"
        case authPasswordFile = "auth_password_file", requireTLS = "require_tls", tlsConfig = "tls_config", headers
        case text, html
    }

    /// Alertmanager does not send resolved notifications by email unless asked to.
    static let defaults = SinkOptions(sendResolved: false, timeout: .seconds(30), maxConcurrency: 4)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        // Alertmanager takes one comma-separated string; a list is accepted too.
        if let list = try? c.decode([String].self, forKey: .to) {
            to = list
        } else {
            to = try c.decode(String.self, forKey: .to).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard !to.isEmpty, to.allSatisfy({ !$0.isEmpty }) else { throw c.invalid(.to, "at least one address is required") }
        from = try c.decodeIfPresent(String.self, forKey: .from)
        smarthost = try c.decodeIfPresent(String.self, forKey: .smarthost)
        hello = try c.decodeIfPresent(String.self, forKey: .hello)
        authUsername = try c.decodeIfPresent(String.self, forKey: .authUsername)
        authPassword = try c.secretIfPresent(.authPassword, orFile: .authPasswordFile)
        requireTLS = try c.decodeIfPresent(Bool.self, forKey: .requireTLS)
        tls = (nil, false)
        if c.contains(.tlsConfig) {
            let t = try c.superDecoder(forKey: .tlsConfig)
            try t.rejectUnknownKeys(HTTPClientConfig.TLSKeys.self)
            let k = try t.container(keyedBy: HTTPClientConfig.TLSKeys.self)
            tls = (try k.decodeIfPresent(String.self, forKey: .caFile), try k.decode(.insecureSkipVerify, default: false))
        }
        headers = try c.decode(.headers, default: [:])
        text = try c.decodeIfPresent(String.self, forKey: .text)
        html = try c.decodeIfPresent(String.self, forKey: .html)
    }
}

extension ConfigResolver {
    mutating func resolve(email: EmailConfig, at path: String) -> EmailSink.Settings? {
        guard let smarthost = email.smarthost ?? global.smtpSmarthost else {
            report("\(path).smarthost", "required here or as global.smtp_smarthost")
            return nil
        }
        guard let host = ListenAddress(parsing: smarthost), host.port > 0 else {
            report(email.smarthost == nil ? "global.smtp_smarthost" : "\(path).smarthost", "expected host:port, e.g. smtp.example.org:587")
            return nil
        }
        guard let from = email.from ?? global.smtpFrom else {
            report("\(path).from", "required here or as global.smtp_from")
            return nil
        }
        let password = email.authPassword.map { secret($0, at: "\(path).auth_password") }
            ?? global.smtpAuthPassword.map { secret($0, at: "global.smtp_auth_password") } ?? nil
        let tls = tlsOptions(caFile: email.tls.caFile, insecureSkipVerify: email.tls.insecureSkipVerify, at: "\(path).tls_config")
        // Port 465 speaks TLS from the first byte; every other port starts plain and upgrades with STARTTLS.
        let scheme = host.port == 465 ? "smtps" : "smtp"
        let message: EmailMessage
        do {
            message = try EmailMessage(from: from, to: email.to, headers: email.headers, text: email.text, html: email.html, library: templates)
        } catch {
            report(error, at: path)
            return nil
        }
        return EmailSink.Settings(
            message: message,
            server: "\(scheme)://\(host)", hello: email.hello ?? global.smtpHello ?? "localhost",
            username: email.authUsername ?? global.smtpAuthUsername, password: password,
            requireTLS: email.requireTLS ?? global.smtpRequireTLS ?? true, tls: tls, timeout: email.options.timeout.duration
        )
    }
}
