import Foundation

/// Alertmanager's `webhook_config`, plus AlertRelay's per-sink limits.
public struct WebhookConfig: Sendable, Decodable {
    public var url: SecretRef
    public var options: SinkOptions
    public var maxAlerts: Int
    /// Defaults to `global.http_config`.
    public var httpConfig: HTTPClientConfig?
    public var signing: SigningConfig?
    /// A template that replaces the Alertmanager JSON body, and the `Content-Type` it is sent with.
    public var body: String?
    public var contentType: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, urlFile = "url_file", maxAlerts = "max_alerts", httpConfig = "http_config", signing
        case body, contentType = "content_type"
    }

    static let defaults = SinkOptions(sendResolved: true, timeout: .seconds(10), maxConcurrency: 8)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.secret(.url, orFile: .urlFile)
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        maxAlerts = try c.decode(.maxAlerts, default: 0)
        httpConfig = try c.decodeIfPresent(HTTPClientConfig.self, forKey: .httpConfig)
        signing = try c.decodeIfPresent(SigningConfig.self, forKey: .signing)
        body = try c.decodeIfPresent(String.self, forKey: .body)
        contentType = try c.decode(.contentType, default: "application/json")
        if c.contains(.contentType), body == nil { throw c.invalid(.contentType, "only applies with a body template") }
        guard contentType.allSatisfy({ $0.isASCII && !$0.isNewline }), !contentType.isEmpty else {
            throw c.invalid(.contentType, "must be a media type such as application/json")
        }
        guard maxAlerts >= 0 else { throw c.invalid(.maxAlerts, "must not be negative") }
    }
}

extension ConfigResolver {
    mutating func resolve(webhook: WebhookConfig, at path: String) -> WebhookSink.Settings? {
        guard let url = url(webhook.url, at: path, fileKey: "url_file") else { return nil }
        let http = webhook.httpConfig ?? global.httpConfig ?? HTTPClientConfig()
        let (headers, tls) = httpHeaders(http, at: path)
        var signer: OutboundSigner?
        if let signing = webhook.signing, let secret = secret(signing.secret, at: "\(path).signing.secret") {
            switch signing.type {
            case "standard-webhooks":
                signer = standardWebhooksSecret(secret, at: "\(path).signing.secret").map(OutboundSigner.standardWebhooks)
            case "grafana":
                signer = .grafana(secret, header: signing.header ?? GrafanaSignature.defaultHeader, timestampHeader: signing.timestampHeader)
            default:
                signer = .hex(secret, header: signing.header ?? HexSignature.defaultHeader)
            }
        }
        var body: MessageTemplate?
        if let source = webhook.body {
            let json = webhook.contentType.lowercased().contains("json")
            do {
                body = try templates.template(source, format: json ? .json : .text, key: "body")
                if json, let body, let problem = Self.invalidJSON(body) { report("\(path).body", problem) }
            } catch {
                report(error, at: path)
            }
        }
        return WebhookSink.Settings(
            url: url, maxAlerts: webhook.maxAlerts, timeout: webhook.options.timeout.duration, headers: headers,
            followRedirects: http.followRedirects, tls: tls, signer: signer, body: body, contentType: webhook.contentType
        )
    }
}
