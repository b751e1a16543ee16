import Foundation

/// Opsgenie's Alert API (docs.opsgenie.com, "Alert API"): `POST /v2/alerts` creates an alert while the group
/// fires; `POST /v2/alerts/{alias}/close?identifierType=alias` closes it when it resolves. The alias is the
/// SHA-256 of the group key, as Alertmanager's, so the close finds the alert the create opened.
enum OpsgenieMessage {
    /// Opsgenie's limits.
    static let maxMessage = 130
    static let maxDescription = 15_000

    static let defaultDescription = """
        {{#alertSections}}
        {{heading}} ({{count}})
        {{#alerts}}
        - {{summary}}{{#labelList}} {{name}}={{value}}{{/labelList}}
        {{/alerts}}
        {{/alertSections}}
        """

    struct Templates: Sendable {
        struct Responder: Sendable {
            var key: String
            var value: MessageTemplate
            var type: String
        }

        var message, description, source: MessageTemplate
        var details: [(String, MessageTemplate)]
        var entity: MessageTemplate?
        var responders: [Responder]
        var actions, tags, note, priority: MessageTemplate?
    }

    struct Create: Encodable {
        var alias: String
        var message: String
        var description: String
        var source: String
        var details: [String: String]
        var entity: String?
        var responders: [[String: String]]?
        var actions: [String]?
        var tags: [String]?
        var note: String?
        var priority: String?
    }

    struct Close: Encodable {
        var source: String
        var note: String?
    }

    static func alias(_ notification: AlertNotification) -> String {
        notification.groupKeyHash
    }

    static func body(_ templates: Templates, delivery: Delivery) -> [UInt8] {
        let context = TemplateContext(delivery)
        let source = templates.source.text(context) ?? "AlertRelay"
        let note = templates.note?.text(context)
        guard delivery.notification.status == .firing else { return apiJSON(Close(source: source, note: note)) }
        func list(_ template: MessageTemplate?) -> [String]? {
            let items = template?.text(context)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return items?.isEmpty == false ? items : nil
        }
        // Opsgenie's priorities are P1 (highest) to P5; anything else is left to Opsgenie's default (P3).
        let priority = templates.priority?.text(context).map { $0.uppercased() }.flatMap { ["P1", "P2", "P3", "P4", "P5"].contains($0) ? $0 : nil }
        // `teams` names several teams, comma-separated: one `team` responder each (as Alertmanager sends them).
        let responders = templates.responders.flatMap { responder -> [[String: String]] in
            guard let value = responder.value.text(context) else { return [] }
            guard responder.type == "teams" else { return [[responder.key: value, "type": responder.type]] }
            return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .map { [responder.key: $0, "type": "team"] }
        }
        return apiJSON(
            Create(
                alias: alias(delivery.notification), message: (templates.message.text(context) ?? "alerts").clipped(to: maxMessage),
                description: (templates.description.text(context) ?? "").clipped(to: maxDescription), source: source,
                details: Dictionary(templates.details.map { ($0.0, $0.1.render(context)) }) { first, _ in first }
                    .merging(delivery.notification.commonLabels) { configured, _ in configured },
                entity: templates.entity?.text(context), responders: responders.isEmpty ? nil : responders, actions: list(templates.actions),
                tags: list(templates.tags), note: note, priority: priority
            )
        )
    }
}
