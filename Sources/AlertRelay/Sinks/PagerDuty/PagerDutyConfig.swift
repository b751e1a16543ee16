import Foundation

/// Alertmanager's `pagerduty_configs` with its keys and defaults: Events API v2 with a `routing_key`, or the
/// older v1 with a `service_key`. Values that are templates
/// in Alertmanager are Mustache templates here (see the README, "Templates").
public struct PagerDutyConfig: Sendable, Decodable {
    public var routingKey: SecretRef?
    public var serviceKey: SecretRef?
    public var url: String?
    public var client: String?
    public var clientURL: String?
    public var description: String?
    public var details: [String: String]?
    public var links: [Link]
    public var images: [Image]
    public var source: String?
    public var severity: String?
    public var `class`: String?
    public var component: String?
    public var group: String?
    public var httpConfig: HTTPClientConfig?
    public var options: SinkOptions

    public struct Link: Sendable, Decodable {
        public var href: String
        public var text: String?
    }

    public struct Image: Sendable, Decodable {
        public var src: String
        public var href: String?
        public var alt: String?
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case routingKey = "routing_key", routingKeyFile = "routing_key_file", serviceKey = "service_key", serviceKeyFile = "service_key_file"
        case url, client, clientURL = "client_url", description, details, links, images, source, severity, `class`, component, group
        case httpConfig = "http_config"
    }

    /// Alertmanager's default for PagerDuty: resolved notifications resolve the incident.
    static let defaults = SinkOptions(sendResolved: true, timeout: .seconds(10), maxConcurrency: 4)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: Set(SinkOptions.Key.allCases))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        routingKey = try c.secretIfPresent(.routingKey, orFile: .routingKeyFile)
        serviceKey = try c.secretIfPresent(.serviceKey, orFile: .serviceKeyFile)
        guard (routingKey == nil) != (serviceKey == nil) else {
            throw c.invalid(.routingKey, "give routing_key (Events API v2) or service_key (v1), one of the two")
        }
        options = try SinkOptions(from: decoder, defaults: Self.defaults)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        client = try c.decodeIfPresent(String.self, forKey: .client)
        clientURL = try c.decodeIfPresent(String.self, forKey: .clientURL)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        details = try c.decodeIfPresent([String: String].self, forKey: .details)
        links = try c.decode(.links, default: [])
        images = try c.decode(.images, default: [])
        source = try c.decodeIfPresent(String.self, forKey: .source)
        severity = try c.decodeIfPresent(String.self, forKey: .severity)
        self.class = try c.decodeIfPresent(String.self, forKey: .class)
        component = try c.decodeIfPresent(String.self, forKey: .component)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        httpConfig = try c.decodeIfPresent(HTTPClientConfig.self, forKey: .httpConfig)
    }
}

extension ConfigResolver {
    mutating func resolve(pagerduty config: PagerDutyConfig, at path: String) -> APISink.Settings? {
        let version: PagerDutyMessage.Version?
        if let routingKey = config.routingKey {
            version = secret(routingKey, at: "\(path).routing_key").map { .v2(routingKey: String(decoding: $0.bytes, as: UTF8.self)) }
        } else if let serviceKey = config.serviceKey {
            version = secret(serviceKey, at: "\(path).service_key").map { .v1(serviceKey: String(decoding: $0.bytes, as: UTF8.self)) }
        } else {
            version = nil
        }
        let isV1 = config.routingKey == nil
        // As Alertmanager: v1 events always go to v1's endpoint; `url` and global.pagerduty_url are v2's.
        let url = isV1 ? PagerDutyMessage.eventsV1URL : config.url ?? global.pagerdutyURL ?? PagerDutyMessage.eventsURL
        guard let endpoint = self.url(.value(url), at: path, fileKey: "url") else { return nil }
        func compile(_ source: String?, _ key: String, default fallback: String) -> MessageTemplate? {
            apiTemplate(source, key: key, default: fallback, at: path)
        }
        // Alertmanager's defaults under the user's own keys: a `details` of one key keeps firing, resolved and the counts.
        let merged = PagerDutyMessage.defaultDetails.merging(config.details ?? [:]) { _, own in own }
        let details = merged.sorted { $0.key < $1.key }.compactMap { name, source in
            compile(source, "details.\(name)", default: source).map { (name, $0) }
        }
        let links = config.links.enumerated().compactMap { index, link in
            compile(link.href, "links[\(index)].href", default: "").map { href in
                (href, link.text.flatMap { compile($0, "links[\(index)].text", default: "") })
            }
        }
        let images = config.images.enumerated().compactMap { index, image in
            compile(image.src, "images[\(index)].src", default: "").map { src in
                (src, image.href.flatMap { compile($0, "images[\(index)].href", default: "") }, image.alt.flatMap { compile($0, "images[\(index)].alt", default: "") })
            }
        }
        guard let version, let description = compile(config.description, "description", default: "{{> title}}"),
            let client = compile(config.client, "client", default: "AlertRelay"),
            let clientURL = compile(config.clientURL, "client_url", default: "{{externalURL}}"),
            let source = compile(config.source, "source", default: config.client ?? "AlertRelay"),
            let severity = compile(config.severity, "severity", default: "error")
        else { return nil }
        let message = PagerDutyMessage.Templates(
            version: version, description: description, client: client, clientURL: clientURL, source: source, severity: severity,
            class: config.class.flatMap { compile($0, "class", default: "") }, component: config.component.flatMap { compile($0, "component", default: "") },
            group: config.group.flatMap { compile($0, "group", default: "") }, details: details,
            links: links.map { PagerDutyMessage.Templates.Link(href: $0.0, text: $0.1) },
            images: images.map { PagerDutyMessage.Templates.Image(src: $0.0, href: $0.1, alt: $0.2) }
        )
        let http = httpHeaders(config.httpConfig, at: path)
        let judge: @Sendable (OutboundResponse, Date) -> DeliveryOutcome? = { response, now in
            isV1 ? PagerDutyMessage.judgeV1(response, now) : nil
        }
        return APISink.Settings(
            service: "pagerduty", url: endpoint, headers: http.headers, timeout: config.options.timeout.duration, tls: http.tls,
            message: { PagerDutyMessage.body(message, delivery: $0) }, judge: judge
        )
    }
}
