import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

/// Alertmanager's routing semantics, table-driven over one tree written as a config.
@Suite struct RoutingTreeTests {
    static let config = """
        sources: {am: {auth: [{type: none}]}}
        time_intervals:
          - name: working-hours
            time_intervals:
              - times: [{start_time: '09:00', end_time: '17:00'}]
                weekdays: ['monday:friday']
                location: Europe/Berlin
          - name: maintenance
            time_intervals: [{weekdays: [sunday], times: [{start_time: '02:00', end_time: '04:00'}]}]
        route:
          receiver: default
          routes:
            - receiver: everything-http
              continue: true
            - matchers: ['severity="critical"']
              receiver: oncall-email
              mute_time_intervals: [maintenance]
              routes:
                - matchers: [team=db]
                  receiver: db-pager
            - matchers: ['severity="warning"']
              receiver: slack
              active_time_intervals: [working-hours]
            - matchers: ['alertname=~"LiteLLM.*"', 'severity!~"critical|warning"']
              receiver: litellm-info
            - match: {team: db}
              routes:
                - match_re: {alertname: 'Postgres.*'}
                  receiver: dba
        receivers:
          - {name: default}
          - {name: everything-http}
          - {name: oncall-email}
          - {name: db-pager}
          - {name: slack}
          - {name: litellm-info}
          - {name: dba}
        """

    static let monday = Date(timeIntervalSince1970: 1_796_032_800)  // 2026-11-30 10:00 UTC, 11:00 in Berlin
    static let saturday = Date(timeIntervalSince1970: 1_796_464_800)  // 2026-12-05 10:00 UTC
    static let sundayNight = Date(timeIntervalSince1970: 1_795_921_200)  // 2026-11-29 03:00 UTC

    let tree: RoutingTree
    init() throws {
        tree = try ConfigLoader.parse(yaml: Self.config, baseDirectory: URL(fileURLWithPath: "/tmp"), environment: [:]).routing
    }

    @Test(arguments: [
        // continue: the catch-all goes on; the first match among the rest wins.
        (["severity": "critical", "alertname": "LiteLLMDown"], monday, ["everything-http", "oncall-email"]),
        // Nested: the deeper match handles it.
        (["severity": "critical", "team": "db"], monday, ["everything-http", "db-pager"]),
        (["severity": "warning", "alertname": "LiteLLMHighLatency"], monday, ["everything-http", "slack"]),
        // Negative regex: a missing severity is "", which is neither critical nor warning.
        (["alertname": "LiteLLMDown"], monday, ["everything-http", "litellm-info"]),
        (["alertname": "LiteLLMCostSpike", "severity": "info"], monday, ["everything-http", "litellm-info"]),
        // Anchored: "XLiteLLM" does not match "LiteLLM.*"; nothing else does, and the catch-all matched, so
        // the root does not take it too.
        (["alertname": "XLiteLLMDown"], monday, ["everything-http"]),
        // match / match_re, and a node whose children do not match handles the alert itself, with the
        // receiver it inherits.
        (["team": "db", "alertname": "PostgresDown"], monday, ["everything-http", "dba"]),
        (["team": "db", "alertname": "DiskFull"], monday, ["everything-http", "default"]),
        // Mute and active intervals apply to the route that names them, and only to it.
        (["severity": "warning"], saturday, ["everything-http", "slack (muted)"]),
        (["severity": "critical"], sundayNight, ["everything-http", "oncall-email (muted)"]),
        (["severity": "critical", "team": "db"], sundayNight, ["everything-http", "db-pager"]),
    ])
    func routesEachAlertAsAlertmanagerWould(_ example: (labels: [String: String], at: Date, receivers: [String])) {
        let found = tree.destinations(for: example.labels, at: example.at).map { $0.receiver + ($0.muted == nil ? "" : " (muted)") }
        #expect(found == example.receivers)
    }

    @Test func explainsTheMatchingPathAndTheMute() throws {
        let destinations = tree.destinations(for: ["severity": "warning"], at: Self.saturday)
        #expect(destinations.map(\.trails) == [[["route", "route.routes[0]"]], [["route", "route.routes[2]"]]])
        #expect(destinations.last?.muted == "outside active_time_intervals working-hours at route.routes[2]")
    }

    @Test func eachReceiverGetsOneNotificationWithItsAlertsAndTheRightStatus() throws {
        var notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        notification.alerts[1].labels["severity"] = "warning"
        notification.alerts[0].status = .resolved
        let routed = tree.route(notification, at: Self.monday)
        #expect(routed.map(\.receiver) == ["everything-http", "oncall-email", "slack"])
        #expect(routed[0].isWhole && routed[0].notification.alerts.count == 2)
        let email = routed[1].notification
        #expect(email.alerts.map { $0.labels["instance"] } == ["db1:9100"])
        #expect(email.status == .resolved, "the only alert the email receiver gets is resolved")
        #expect(email.commonLabels["severity"] == "critical" && email.commonLabels["instance"] == "db1:9100")
        #expect(routed[2].notification.status == .firing)
        #expect(routed[2].notification.commonLabels["severity"] == "warning")
    }

    @Test func aReceiverReachedByTwoRoutesGetsAnAlertOnce() throws {
        let yaml = """
            sources: {am: {auth: [{type: none}]}}
            route:
              receiver: team
              routes:
                - {matchers: [severity=critical], receiver: team, continue: true}
                - {matchers: ['alertname=~"Disk.*"'], receiver: team}
            receivers: [{name: team}]
            """
        let tree = try ConfigLoader.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/tmp"), environment: [:]).routing
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        let routed = tree.route(notification, at: Self.monday)
        #expect(routed.count == 1)
        #expect(routed.first?.notification.alerts.count == 2)
        #expect(tree.destinations(for: ["severity": "critical", "alertname": "DiskFull"], at: Self.monday).first?.trails.count == 2)
    }
}
