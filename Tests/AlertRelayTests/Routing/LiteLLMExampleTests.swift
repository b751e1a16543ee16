import Foundation
import Testing

@testable import AlertRelay

/// config/litellm.yml routes each LiteLLM alert where the README's table says.
@Suite struct LiteLLMExampleTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let environment = [
        "ALERTMANAGER_TOKEN": "am", "ADMIN_TOKEN": "admin", "SMTP_PASSWORD": "smtp", "INTEGRATIONS_SIGNING_SECRET": "whsec_ZGVtbw==",
        "SLACK_PLATFORM_URL": "https://hooks.slack.com/services/T0/B0/platform", "SLACK_FINOPS_URL": "https://hooks.slack.com/services/T0/B0/finops",
        "SLACK_PROVIDERS_URL": "https://hooks.slack.com/services/T0/B0/providers",
    ]

    struct Row: Sendable, CustomStringConvertible {
        var alert: String
        var group: String
        var severity: String
        var receivers: [String]
        var description: String { alert }
    }

    /// The rows of the table under "### The LiteLLM example".
    static func table() throws -> [Row] {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        guard let section = readme.components(separatedBy: "### The LiteLLM example").dropFirst().first else { return [] }
        return section.components(separatedBy: "\n").prefix { !$0.hasPrefix("## ") }.compactMap { line -> Row? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4, cells[0].hasPrefix("LiteLLM") else { return nil }
            return Row(alert: cells[0], group: cells[1], severity: cells[2], receivers: cells[3].components(separatedBy: ", "))
        }
    }

    let config: RelayConfiguration
    init() throws {
        config = try ConfigLoader.load(file: Self.repository.appendingPathComponent("config/litellm.yml").path, environment: Self.environment)
    }

    @Test func theTableListsEveryLiteLLMAlert() throws {
        let rows = try Self.table()
        #expect(rows.count == 14)
        #expect(Set(rows.map(\.group)) == ["availability", "performance", "usage", "cost", "database", "provider"])
    }

    @Test(arguments: try table())
    func routesEachAlertWhereTheReadmeSays(_ row: Row) throws {
        let labels = ["alertname": row.alert, "severity": row.severity, "alert_group": row.group, "job": "litellm"]
        let weekday = try #require(Timestamp(rfc3339: "2026-12-01T10:00:00Z")).date  // Tuesday, 11:00 in Berlin
        let night = try #require(Timestamp(rfc3339: "2026-12-01T22:00:00Z")).date
        let byDay = config.routing.destinations(for: labels, at: weekday)
        #expect(byDay.filter { $0.muted == nil }.map(\.receiver) == row.receivers)
        let byNight = config.routing.destinations(for: labels, at: night)
        #expect(byNight.filter { $0.muted == nil }.map(\.receiver) == row.receivers.filter { $0 != "platform-slack" })
        #expect(byNight.filter { $0.muted != nil }.map(\.receiver) == (row.receivers.contains("platform-slack") ? ["platform-slack"] : []))
    }
}
