import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

@Suite struct NotificationTests {
    @Test(arguments: Fixtures.alertmanager)
    func decodesRealAlertmanagerCaptures(_ name: String) throws {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes(name))
        #expect(notification.version == "4")
        #expect(!notification.alerts.isEmpty)
        #expect(notification.externalURL == "http://vm:9093")
        #expect(notification.groupKey.hasPrefix("{}"))
        for alert in notification.alerts {
            #expect(alert.labels["alertname"] != nil)
            #expect(alert.fingerprint.count == 16)
        }
    }

    @Test func decodesEveryAlertmanagerField() throws {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        #expect(notification.receiver == "hook-main")
        #expect(notification.status == .firing)
        #expect(notification.groupLabels == ["alertname": "DiskFull"])
        #expect(notification.commonLabels == ["alertname": "DiskFull", "job": "node", "severity": "critical"])
        #expect(notification.commonAnnotations == ["runbook_url": "https://runbooks.example.org/disk"])
        #expect(notification.groupKey == "{}:{alertname=\"DiskFull\"}")
        #expect(notification.truncatedAlerts == 0)
        let alert = try #require(notification.alerts.first)
        #expect(alert.labels["instance"] == "db1:9100")
        #expect(alert.annotations["summary"] == "DiskFull on db1:9100")
        #expect(alert.startsAt == Timestamp(rfc3339: "2026-11-29T19:30:00Z"))
        #expect(alert.endsAt == nil, "Go's zero time means the end is not known")
        #expect(alert.generatorURL == "http://prometheus.example.org:9090/graph?g0.expr=disk_used_ratio%3E0.95")
        #expect(alert.fingerprint == "1751650d45bf7d6b")
        #expect(notification.counts == (2, 0))
    }

    @Test func decodesResolvedAndTruncatedGroups() throws {
        let mixed = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/02-firing-1-resolved-1-firing.json"))
        #expect(mixed.counts == (1, 1))
        let resolved = try #require(mixed.alerts.first { $0.status == .resolved })
        #expect(resolved.endsAt != nil)

        let truncated = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/04-truncated-max-alerts-2.json"))
        #expect(truncated.truncatedAlerts == 3)
        #expect(truncated.alerts.count == 2)
    }

    @Test func decodesGrafanaExtras() throws {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes(Fixtures.grafana))
        #expect(notification.version == "1")
        #expect(notification.orgId == 1)
        #expect(notification.state == "alerting")
        #expect(notification.title == "[FIRING:1] LiteLLMHighLatency LiteLLM (warning llama-3.1-70b)")
        #expect(notification.message?.hasPrefix("**Firing**") == true)
        let alert = try #require(notification.alerts.first)
        #expect(alert.silenceURL?.contains("alerting/silence/new") == true)
        #expect(alert.dashboardURL == "http://grafana.example.org/d/litellm?orgId=1")
        #expect(alert.panelURL == "http://grafana.example.org/d/litellm?orgId=1&viewPanel=3")
        #expect(alert.values == ["B": 12.4, "C": 1])
        #expect(alert.valueString?.contains("var='B'") == true)
    }

    @Test func computesAlertmanagersFingerprintWhenMissing() throws {
        // The labels of the first alert in 01-firing-2-alerts.json, whose fingerprint Alertmanager computed.
        let labels = ["alertname": "DiskFull", "instance": "db1:9100", "job": "node", "severity": "critical"]
        #expect(Fingerprint.of(labels: labels) == "1751650d45bf7d6b")
        let body = #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DiskFull","instance":"db2:9100","job":"node","severity":"critical"},"startsAt":"2026-11-29T19:30:00Z"}]}"#
        let notification = try AlertNotification.decode(json: Array(body.utf8))
        #expect(notification.alerts.first?.fingerprint == "70bd263dc713630c")
    }

    @Test func ignoresFieldsItDoesNotKnow() throws {
        let body = #"{"version":"4","status":"firing","notification_reason":"new","routeLabels":{"a":"b"},"alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"2026-11-29T19:30:00.123456789+01:00","future":[1,2]}]}"#
        let notification = try AlertNotification.decode(json: Array(body.utf8))
        #expect(notification.alerts.first?.startsAt == Timestamp(rfc3339: "2026-11-29T18:30:00.123456789Z"))
    }

    @Test func keepsAlertmanagersTimestampsToTheNanosecond() throws {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/05-amtool-no-auth.json"))
        let json = String(decoding: try JSONEncoder().encode(notification), as: UTF8.self)
        #expect(json.contains(#""startsAt":"2026-11-29T19:32:20.187001208Z""#))
    }

    @Test func reencodesInAlertmanagersShape() throws {
        let original = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        let json = try JSONEncoder().encode(original)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""endsAt":"0001-01-01T00:00:00Z""#))
        #expect(try AlertNotification.decode(json: Array(json)) == original)
    }

    static let invalidBodies: [(body: String, field: String?, reason: String)] = [
        (#"{"version":"4","status":"firing","alerts":["#, nil, "malformed JSON"),
        ("", nil, "malformed JSON"),
        ("[]", "(top level)", "expected an object"),
        (#"{"version":"4","status":"firing"}"#, "alerts", "required field is missing"),
        (#"{"version":4,"status":"firing","alerts":[]}"#, "version", "expected a string"),
        (#"{"version":"5","status":"firing","alerts":[]}"#, "version", "unsupported payload version"),
        (#"{"version":"4","status":"burning","alerts":[]}"#, "status", "must be \"firing\" or \"resolved\""),
        (#"{"version":"4","status":"firing","alerts":[]}"#, "alerts", "at least one alert"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"severity":1},"startsAt":"2026-11-29T19:30:00Z"}]}"#, "alerts[0].labels.severity", "expected a string"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{}}]}"#, "alerts[0].startsAt", "required field is missing"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":"yesterday"}]}"#, "alerts[0].startsAt", "expected an RFC 3339 timestamp"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":"2026-11-29T19:30:00Z","endsAt":"2026-02-30T00:00:00Z"}]}"#, "alerts[0].endsAt", "expected an RFC 3339 timestamp"),
        (#"{"version":"4","status":"firing","truncatedAlerts":"3","alerts":[]}"#, "truncatedAlerts", "expected an integer"),
    ]

    @Test(arguments: invalidBodies)
    func refusesInvalidBodiesNamingTheField(_ example: (body: String, field: String?, reason: String)) {
        #expect {
            try AlertNotification.decode(json: Array(example.body.utf8))
        } throws: { error in
            let error = error as? PayloadError
            return error?.field == example.field && error?.reason.contains(example.reason) == true
        }
    }

    @Test func refusesBodiesThatAreNotUTF8() {
        var body = Array(#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":"X"}}]}"#.utf8)
        body[body.firstIndex(of: UInt8(ascii: "X"))!] = 0xff
        #expect(throws: PayloadError(field: nil, reason: "body is not valid UTF-8")) {
            try AlertNotification.decode(json: body)
        }
    }

    @Test func refusesDeeplyNestedJSONWithoutCrashing() {
        let depth = 500_000
        let body = Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
        #expect(throws: PayloadError.self) { try AlertNotification.decode(json: body) }
        let nestedInField = #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":"# + String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000) + "}]}"
        #expect(throws: PayloadError.self) { try AlertNotification.decode(json: Array(nestedInField.utf8)) }
    }
}
