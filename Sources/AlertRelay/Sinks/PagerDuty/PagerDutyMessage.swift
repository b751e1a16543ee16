import Foundation

/// A PagerDuty Events API v2 event (developer.pagerduty.com, "Send an Alert Event"), as Alertmanager's
/// `pagerduty_configs` sends it: `trigger` while the group fires and `resolve` when it is resolved, under a
/// `dedup_key` that is the same for both (the SHA-256 of the group key, as Alertmanager's), so the resolve
/// closes the incident the trigger opened. Only a trigger carries `payload`, `links` and `images`.
public struct PagerDutyMessage: Encodable {
    static let eventsURL = "https://events.pagerduty.com/v2/enqueue"
    static let eventsV1URL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json"

    enum Version: Sendable {
        case v1(serviceKey: String)
        case v2(routingKey: String)
    }
    /// PagerDuty's limit on `payload.summary`.
    static let maxSummary = 1024

    /// Alertmanager's default `details`, in Mustache.
    static let defaultDetails: [String: String] = [
        "firing": "{{#firingAlerts}}{{summary}}{{#labelList}} {{name}}={{value}}{{/labelList}}\n{{/firingAlerts}}",
        "resolved": "{{#resolvedAlerts}}{{summary}}{{#labelList}} {{name}}={{value}}{{/labelList}}\n{{/resolvedAlerts}}",
        "num_firing": "{{counts.firing}}",
        "num_resolved": "{{counts.resolved}}",
    ]

    /// The config's templates, compiled.
    struct Templates: Sendable {
        struct Link: Sendable {
            var href: MessageTemplate
            var text: MessageTemplate?
        }

        struct Image: Sendable {
            var src: MessageTemplate
            var href: MessageTemplate?
            var alt: MessageTemplate?
        }

        var version: Version
        var description, client, clientURL, source, severity: MessageTemplate
        var `class`, component, group: MessageTemplate?
        var details: [(String, MessageTemplate)]
        var links: [Link]
        var images: [Image]
    }

    struct Payload: Encodable {
        var summary: String
        var source: String
        var severity: String
        var `class`: String?
        var component: String?
        var group: String?
        var customDetails: [String: String]

        enum CodingKeys: String, CodingKey {
            case summary, source, severity, `class`, component, group, customDetails = "custom_details"
        }
    }

    struct Link: Encodable {
        var href: String
        var text: String?
    }

    struct Image: Encodable {
        var src: String
        var href: String?
        var alt: String?
    }

    var routingKey: String
    var eventAction: String
    var dedupKey: String
    var client: String?
    var clientURL: String?
    var payload: Payload?
    var links: [Link]?
    var images: [Image]?

    enum CodingKeys: String, CodingKey {
        case routingKey = "routing_key", eventAction = "event_action", dedupKey = "dedup_key", client, clientURL = "client_url"
        case payload, links, images
    }

    /// The Events API v1 event (`generic/2010-04-15/create_event.json`), as Alertmanager sends it for a
    /// `service_key`: `incident_key` plays `dedup_key`'s part.
    struct V1: Encodable {
        var serviceKey: String
        var eventType: String
        var incidentKey: String
        var description: String
        var client: String?
        var clientURL: String?
        var details: [String: String]

        enum CodingKeys: String, CodingKey {
            case serviceKey = "service_key", eventType = "event_type", incidentKey = "incident_key", description, client
            case clientURL = "client_url", details
        }
    }

    /// PagerDuty's limit on an event; past it the custom details give way to a note, as Alertmanager does.
    static let maxEventBytes = 512_000

    static func body(_ templates: Templates, delivery: Delivery) -> [UInt8] {
        let context = TemplateContext(delivery)
        switch templates.version {
        case .v1(let serviceKey):
            let notification = delivery.notification
            return apiJSON(
                V1(
                    serviceKey: serviceKey, eventType: eventAction(notification), incidentKey: notification.groupKeyHash,
                    description: summary(templates, context), client: templates.client.text(context),
                    clientURL: templates.clientURL.text(context).flatMap(TemplateContext.webURL), details: details(templates, context)
                )
            )
        case .v2(let routingKey):
            var message = PagerDutyMessage(templates, context: context, notification: delivery.notification, routingKey: routingKey)
            var body = message.body
            if body.count > maxEventBytes, message.payload != nil {
                message.payload?.customDetails = ["error": "Custom details have been removed because the original event exceeds the maximum size of 512KB"]
                body = message.body
            }
            return body
        }
    }

    /// Events API v1 answers a throttled event with 403: worth retrying, as Alertmanager does.
    @Sendable static func judgeV1(_ response: OutboundResponse, _ now: Date) -> DeliveryOutcome? {
        guard response.status == 403 else { return nil }
        return .transient(reason: "HTTP 403 (PagerDuty v1 throttling)", status: 403, response: DeliveryOutcome.snippet(response.body), retryAfter: nil)
    }

    /// `trigger` while the group fires, `resolve` once it is resolved (v1's `event_type`, v2's `event_action`).
    static func eventAction(_ notification: AlertNotification) -> String {
        notification.status == .firing ? "trigger" : "resolve"
    }

    /// The incident's summary (v2) or description (v1), within PagerDuty's limit.
    static func summary(_ templates: Templates, _ context: TemplateContext) -> String {
        String((templates.description.text(context) ?? "alerts").prefix(maxSummary))
    }

    static func details(_ templates: Templates, _ context: TemplateContext) -> [String: String] {
        Dictionary(templates.details.map { ($0.0, $0.1.render(context).trimmingCharacters(in: .newlines)) }) { first, _ in first }
    }

    init(_ templates: Templates, context: TemplateContext, notification: AlertNotification, routingKey: String) {
        self.routingKey = routingKey
        eventAction = Self.eventAction(notification)
        dedupKey = notification.groupKeyHash
        client = templates.client.text(context)
        clientURL = templates.clientURL.text(context).flatMap(TemplateContext.webURL)
        guard notification.status == .firing else { return }
        payload = Payload(
            summary: Self.summary(templates, context), source: templates.source.text(context) ?? "AlertRelay",
            severity: Self.severity(templates.severity.text(context)), class: templates.class?.text(context),
            component: templates.component?.text(context), group: templates.group?.text(context), customDetails: Self.details(templates, context)
        )
        let links = templates.links.compactMap { link in
            link.href.text(context).flatMap(TemplateContext.webURL).map { Link(href: $0, text: link.text?.text(context)) }
        }
        self.links = links.isEmpty ? nil : links
        let images = templates.images.compactMap { image in
            image.src.text(context).flatMap(TemplateContext.webURL).map {
                Image(src: $0, href: image.href?.text(context).flatMap(TemplateContext.webURL), alt: image.alt?.text(context))
            }
        }
        self.images = images.isEmpty ? nil : images
    }

    var body: [UInt8] { apiJSON(self) }

    /// PagerDuty takes `critical`, `error`, `warning` or `info`: an alert's `severity` label read into those
    /// (`page` is critical); anything else is `error`, Alertmanager's default.
    static func severity(_ value: String?) -> String {
        switch value?.lowercased() {
        case "critical", "page", "fatal": "critical"
        case "warning", "warn": "warning"
        case "info", "informational", "none": "info"
        default: "error"
        }
    }
}
