import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

/// The on-call services' messages as each documents its API, built from real Alertmanager payloads through
/// the config keys Alertmanager uses.
@Suite struct OnCallServiceTests {
    /// The API sinks of a receiver written as `sinks` (YAML under the receiver).
    static func settings(_ sinks: String, global: String = "") throws -> [APISink.Settings] {
        let yaml = """
            \(global)
            sources: {am: {auth: [{type: none}]}}
            route: {receiver: oncall}
            receivers:
              - name: oncall
            \(sinks)
            """
        let config = try ConfigLoader.parse(yaml: yaml, baseDirectory: FileManager.default.temporaryDirectory, environment: [:])
        return (config.receivers["oncall"]?.sinks ?? []).compactMap { sink in
            if case .api(let settings) = sink.kind { return settings }
            return nil
        }
    }

    static func delivery(_ fixture: String, _ mutate: (inout AlertNotification) -> Void = { _ in }) throws -> Delivery {
        var notification = try AlertNotification.decode(json: try Fixtures.bytes(fixture))
        mutate(&notification)
        return Delivery(jobID: 7, notificationID: "n-1", source: "am", acceptedAt: Date(), receiver: "oncall", notification: notification, attempt: 1)
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func pagerDutyTriggersAndResolvesTheSameIncident() throws {
        let sink = try #require(try Self.settings("    pagerduty_configs: [{routing_key: R0UTING}]").first)
        #expect(sink.endpoint(try Self.delivery("alertmanager/01-firing-2-alerts.json")) == "https://events.pagerduty.com/v2/enqueue")
        let trigger = try Self.json(sink.message(try Self.delivery("alertmanager/01-firing-2-alerts.json")))
        let resolve = try Self.json(sink.message(try Self.delivery("alertmanager/03-resolved.json")))
        #expect(trigger["routing_key"] as? String == "R0UTING" && trigger["event_action"] as? String == "trigger")
        #expect(resolve["event_action"] as? String == "resolve" && resolve["payload"] == nil, "a resolve carries no payload")
        let key = try #require(trigger["dedup_key"] as? String)
        #expect(key.count == 64 && resolve["dedup_key"] as? String == key, "one dedup_key for the group's trigger and resolve")
        let payload = try #require(trigger["payload"] as? [String: Any])
        #expect(payload["summary"] as? String == "[FIRING:2] DiskFull")
        #expect(payload["severity"] as? String == "error", "Alertmanager's default: a pasted config keeps its incidents' urgency")
        #expect(payload["source"] as? String == "AlertRelay")
        let details = try #require(payload["custom_details"] as? [String: String])
        #expect(details["num_firing"] == "2" && details["firing"]?.contains("DiskFull on db1:9100") == true)
        #expect(trigger["client_url"] as? String == "http://vm:9093")
    }

    @Test(arguments: [("critical", "critical"), ("page", "critical"), ("warning", "warning"), ("info", "info"), ("major", "error"), ("", "error")])
    func pagerDutySeverityIsOneOfTheFourItTakes(label: String, expected: String) {
        #expect(PagerDutyMessage.severity(label) == expected)
    }

    @Test func pagerDutyKeysAsAlertmanagerWritesThem() throws {
        let sink = try #require(try Self.settings("""
                pagerduty_configs:
                  - routing_key: R
                    url: https://events.eu.pagerduty.com/v2/enqueue
                    severity: '{{commonLabels.severity}}'
                    class: disk
                    component: '{{commonLabels.job}}'
                    group: storage
                    details: {team: storage, count: '{{counts.total}}'}
                    links: [{href: '{{commonAnnotations.runbook_url}}', text: Runbook}, {href: 'javascript:alert(1)', text: bad}]
            """).first)
        let body = try Self.json(sink.message(try Self.delivery("alertmanager/01-firing-2-alerts.json")))
        let payload = try #require(body["payload"] as? [String: Any])
        #expect(payload["severity"] as? String == "critical" && payload["class"] as? String == "disk", "the severity label, mapped")
        #expect(payload["component"] as? String == "node" && payload["group"] as? String == "storage")
        let details = try #require(payload["custom_details"] as? [String: String])
        #expect(details["team"] == "storage" && details["count"] == "2")
        #expect(details["num_firing"] == "2", "Alertmanager's default details stay beside the user's own")
        #expect((body["links"] as? [[String: String]])?.map { $0["text"] ?? "" } == ["Runbook"], "only http(s) links")
        #expect(sink.endpoint(try Self.delivery("alertmanager/01-firing-2-alerts.json")) == "https://events.eu.pagerduty.com/v2/enqueue")
        #expect(throws: ConfigError.self) { try Self.settings("    pagerduty_configs: [{service_key: abc, routing_key: R}]") }
    }

    @Test func pagerDutyEventsV1ForAServiceKeyAsInAlertmanagersExample() throws {
        let sink = try #require(try Self.settings("    pagerduty_configs: [{service_key: '<team-X-key>'}]").first)
        let firing = try Self.delivery("alertmanager/01-firing-2-alerts.json")
        #expect(sink.endpoint(firing) == "https://events.pagerduty.com/generic/2010-04-15/create_event.json")
        let trigger = try Self.json(sink.message(firing))
        let resolve = try Self.json(sink.message(try Self.delivery("alertmanager/03-resolved.json")))
        #expect(trigger["service_key"] as? String == "<team-X-key>" && trigger["event_type"] as? String == "trigger")
        #expect(resolve["event_type"] as? String == "resolve" && resolve["incident_key"] as? String == trigger["incident_key"] as? String)
        #expect(trigger["description"] as? String == "[FIRING:2] DiskFull")
        let throttled = OutboundResponse(status: 403, headers: [], body: Array(#"{"status":"throttle exceeded"}"#.utf8))
        #expect(sink.judge(throttled, Date())?.kind == .transient, "v1 answers throttling with 403")
    }

    @Test func opsgenieCreatesThenClosesByAlias() throws {
        let sink = try #require(try Self.settings("""
                opsgenie_configs:
                  - api_key: K3Y
                    priority: P1
                    tags: 'disk, {{commonLabels.severity}}'
                    responders: [{name: storage-team, type: team}, {name: 'db, network', type: teams}]
                    update_alerts: false
            """).first)
        let firing = try Self.delivery("alertmanager/01-firing-2-alerts.json")
        let resolved = try Self.delivery("alertmanager/03-resolved.json")
        #expect(sink.headers.contains { $0.name == "Authorization" && $0.value == "GenieKey K3Y" })
        #expect(sink.endpoint(firing) == "https://api.opsgenie.com/v2/alerts")
        let create = try Self.json(sink.message(firing))
        let alias = try #require(create["alias"] as? String)
        #expect(sink.endpoint(resolved) == "https://api.opsgenie.com/v2/alerts/\(alias)/close?identifierType=alias")
        #expect(create["message"] as? String == "[FIRING:2] DiskFull" && create["priority"] as? String == "P1")
        #expect(create["tags"] as? [String] == ["disk", "critical"])
        #expect(create["responders"] as? [[String: String]] == [
            ["name": "storage-team", "type": "team"], ["name": "db", "type": "team"], ["name": "network", "type": "team"],
        ], "teams names several teams, one responder each")
        #expect(try Self.json(sink.message(resolved)).keys.sorted() == ["source"])
    }

    @Test func telegramSendsToTheBotsChatAndWaitsAsTold() throws {
        let sink = try #require(try Self.settings("    telegram_configs: [{bot_token: '123:ABC', chat_id: -1001234}]").first)
        let delivery = try Self.delivery("alertmanager/02-firing-1-resolved-1-firing.json") { $0.alerts[1].annotations["summary"] = "<b>&" }
        #expect(sink.endpoint(delivery) == "https://api.telegram.org/bot123:ABC/sendMessage")
        let body = try Self.json(sink.message(delivery))
        #expect(body["chat_id"] as? Int == -1_001_234 && body["parse_mode"] as? String == "HTML")
        #expect(body["disable_web_page_preview"] as? Bool == true)
        let text = try #require(body["text"] as? String)
        #expect(text.hasPrefix("<b>[FIRING:1] DiskFull</b>") && text.contains("&lt;b&gt;&amp;"), "alert values escaped for Telegram's HTML")
        let flood = OutboundResponse(
            status: 429, headers: [], body: Array(#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#.utf8)
        )
        #expect(sink.judge(flood, Date()) == .transient(reason: "HTTP 429: Too Many Requests: retry after 7", status: 429, response: DeliveryOutcome.snippet(flood.body), retryAfter: .seconds(7)))
        let missing = OutboundResponse(status: 400, headers: [], body: Array(#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#.utf8))
        #expect(sink.judge(missing, Date()) == nil, "the shared rule makes a 400 permanent")
    }

    @Test func discordAndTeamsCarryTheGroupAndItsStatus() throws {
        let sinks = try Self.settings("""
                discord_configs: [{webhook_url: 'https://discord.com/api/webhooks/1/x'}]
                msteams_configs: [{webhook_url: 'https://example.webhook.office.com/webhookb2/x'}]
            """)
        #expect(sinks.map(\.service) == ["msteams", "discord"] || sinks.map(\.service) == ["discord", "msteams"])
        let discord = try #require(sinks.first { $0.service == "discord" })
        let teams = try #require(sinks.first { $0.service == "msteams" })
        let resolved = try Self.delivery("alertmanager/03-resolved.json")
        let embed = try #require((try Self.json(discord.message(resolved))["embeds"] as? [[String: Any]])?.first)
        #expect(embed["title"] as? String == "[RESOLVED] DiskFull" && embed["color"] as? Int == 0x2ECC71)
        let card = try Self.json(teams.message(try Self.delivery("alertmanager/01-firing-2-alerts.json")))
        #expect(card["type"] as? String == "message")
        let content = try #require(((card["attachments"] as? [[String: Any]])?.first?["content"]) as? [String: Any])
        #expect(content["type"] as? String == "AdaptiveCard")
        let blocks = try #require(content["body"] as? [[String: Any]])
        #expect(blocks.first?["text"] as? String == "[FIRING:2] DiskFull" && blocks.first?["color"] as? String == "Attention")
        func teamsAnswer(_ text: String) -> DeliveryOutcome.Kind? {
            teams.judge(OutboundResponse(status: 200, headers: [], body: Array(text.utf8)), Date())?.kind
        }
        let failed = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error"
        #expect(teamsAnswer("\(failed) 429 with ContextId tcid=0") == .transient)
        #expect(teamsAnswer("\(failed) 503 with ContextId tcid=429") == .transient, "a 5xx in the body is retried")
        #expect(teamsAnswer("\(failed) 400 with ContextId tcid=4290") == .permanent, "the code, not a 429 elsewhere in the text")
        #expect(teamsAnswer("1") == nil)
    }

    @Test func telegramsDefaultIsPlainTextOutsideHTMLAndLimitsCountUTF16() throws {
        let sink = try #require(try Self.settings("    telegram_configs: [{bot_token: 't', chat_id: 1, parse_mode: MarkdownV2}]").first)
        let body = try Self.json(sink.message(try Self.delivery("alertmanager/01-firing-2-alerts.json")))
        #expect(body["parse_mode"] == nil && (body["text"] as? String)?.hasPrefix("[FIRING:2] DiskFull") == true)
        let long = String(repeating: "🔥", count: 3000)
        #expect(long.clipped(toUTF16: 4096).utf16.count <= 4096 && long.clipped(to: 4096) == long, "🔥 is one code point, two UTF-16 units")
    }

    @Test func discordTakesContentUsernameAndAvatar() throws {
        let sink = try #require(try Self.settings(
            "    discord_configs: [{webhook_url: 'https://discord.com/api/webhooks/1/x', content: '@here {{name}}', username: AlertRelay, avatar_url: 'https://example.org/a.png'}]"
        ).first)
        let body = try Self.json(sink.message(try Self.delivery("alertmanager/01-firing-2-alerts.json")))
        #expect(body["content"] as? String == "@here DiskFull" && body["username"] as? String == "AlertRelay")
        #expect(body["avatar_url"] as? String == "https://example.org/a.png")
    }

    @Test func pagerDutyV1AlwaysPostsToV1AndAnOversizedEventDropsItsDetails() throws {
        let v1 = try #require(try Self.settings("    pagerduty_configs: [{service_key: k, url: 'https://events.pagerduty.com/v2/enqueue'}]").first)
        #expect(v1.endpoint(try Self.delivery("alertmanager/01-firing-2-alerts.json")) == "https://events.pagerduty.com/generic/2010-04-15/create_event.json")
        let v2 = try #require(try Self.settings("    pagerduty_configs: [{routing_key: R}]").first)
        let huge = try Self.delivery("alertmanager/01-firing-2-alerts.json") { notification in
            notification.alerts[0].annotations["summary"] = String(repeating: "x", count: 600_000)
        }
        let body = v2.message(huge)
        #expect(body.count <= 512_000)
        let details = try #require((try Self.json(body)["payload"] as? [String: Any])?["custom_details"] as? [String: String])
        #expect(details["error"]?.contains("exceeds the maximum size of 512KB") == true)
    }

    @Test func msteamsv2ConfigsAreTeamsWorkflows() throws {
        let sinks = try Self.settings("    msteamsv2_configs: [{webhook_url: 'https://prod.westeurope.logic.azure.com/workflows/x'}]")
        #expect(sinks.map(\.service) == ["msteams"])
    }

    @Test func globalKeysReachTheServices() throws {
        let sinks = try Self.settings(
            "    opsgenie_configs: [{}]\n    pagerduty_configs: [{routing_key: R}]",
            global: "global: {opsgenie_api_key: G, opsgenie_api_url: 'https://api.eu.opsgenie.com', pagerduty_url: 'https://pd.example.org/v2/enqueue'}"
        )
        let delivery = try Self.delivery("alertmanager/01-firing-2-alerts.json")
        #expect(sinks.first { $0.service == "opsgenie" }?.endpoint(delivery) == "https://api.eu.opsgenie.com/v2/alerts")
        #expect(sinks.first { $0.service == "pagerduty" }?.endpoint(delivery) == "https://pd.example.org/v2/enqueue")
    }
}
