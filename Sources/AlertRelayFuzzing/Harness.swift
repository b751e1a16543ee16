@_spi(Testing) import AlertRelay
import Foundation
import Yams

/// Feeds one input to one parser, chosen by the input's first byte. Used by the libFuzzer harness
/// (AlertRelayFuzz) and by the tests that replay the corpus and every past crash.
public enum Harness {
    static let now = Date(timeIntervalSince1970: 1_764_439_200)
    static let secret = Secret("fuzz-secret")

    /// - Returns: whether the parser took the input (a seed that stops being taken has lost its point).
    @discardableResult
    public static func run(selector: UInt8, input: [UInt8]) -> Bool {
        let text = String(decoding: input, as: UTF8.self)
        switch selector % 7 {
        case 0:
            // The webhook payload decoder (Alertmanager and Grafana JSON), and its fast path against JSONDecoder.
            precondition(AlertNotification.scannerAgreesWithJSONDecoder(input), "PayloadScanner and JSONDecoder disagree")
            guard let notification = try? AlertNotification.decode(json: input) else { return false }
            render(notification)
            return true
        case 1:
            // Every signature scheme's header parsing, over headers taken from the input's lines.
            let lines = text.split(separator: "\n", maxSplits: 8, omittingEmptySubsequences: false).map(String.init)
            let headers = lines.dropLast().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]))
            }
            let request = WebhookRequest(headers: headers, body: Array((lines.last ?? "").utf8))
            let verifiers: [any WebhookVerifier] = [
                GrafanaSignature(secrets: [secret], timestampHeader: "X-Grafana-Alerting-Timestamp"),
                StandardWebhooks(secrets: [secret]), HexSignature(secrets: [secret]), BearerToken(tokens: [secret]),
                BasicAuth(users: [BasicAuth.User(username: "am", password: secret)]),
            ]
            return verifiers.map { $0.verify(request, now: now) }.contains { if case .failed = $0 { false } else { true } } || !headers.isEmpty
        case 2:
            // Matchers, as the routing tree reads them.
            guard let matchers = try? Matcher.parse(text) else { return false }
            for matcher in matchers { _ = matcher.matches(["alertname": text, "severity": "critical"]) }
            return true
        case 3:
            // Durations, sizes, timestamps.
            let parsed = [ConfigDuration(parsing: text) != nil, ByteSize(parsing: text) != nil, Timestamp(rfc3339: text)?.rfc3339 != nil]
            return parsed.contains(true)
        case 4:
            // The config file's structure (YAML and every key's checks); the loader's file access is left out.
            return (try? YAMLDecoder().decode(ConfigFile.self, from: text)) != nil
        case 6:
            // Time intervals as a config writes them, each evaluated against instants across four years: a
            // parser that accepts an interval its evaluation cannot handle would take the service down.
            guard let specs = try? YAMLDecoder().decode([TimeIntervalConfig].self, from: text) else { return false }
            var built = false
            for spec in specs {
                guard
                    let interval = try? RecurringInterval(
                        times: spec.times, weekdays: spec.weekdays, daysOfMonth: spec.daysOfMonth, months: spec.months, years: spec.years,
                        location: spec.location
                    )
                else { continue }
                built = true
                for instant in instants { _ = interval.contains(instant) }
            }
            return built
        default:
            // A template written by an operator, rendered with alert data in every format.
            var compiled = false
            for format in TemplateFormat.allCases {
                if let template = try? TemplateLibrary.defaults.template(text, format: format) {
                    _ = template.render(TemplateContext(notification: sample, receiver: "fuzz"))
                    compiled = true
                }
            }
            return compiled
        }
    }

    /// The last three days of every month from 2027 to 2030 (2028 a leap year) and the first of each, at
    /// 00:30 and 23:30 UTC: where days past a month's end and times near midnight are decided.
    static let instants: [Date] = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        var dates: [Date] = []
        for year in 2027...2030 {
            for month in 1...12 {
                guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
                    let days = calendar.range(of: .day, in: .month, for: first)?.count
                else { continue }
                for day in [1, days - 2, days - 1, days] {
                    for minutes in [30, 23 * 60 + 30] {
                        dates.append(first.addingTimeInterval(Double((day - 1) * 86_400 + minutes * 60)))
                    }
                }
            }
        }
        return dates
    }()

    static let sample = AlertNotification(
        status: .firing, groupKey: "{}:{alertname=\"Fuzz\"}", groupLabels: ["alertname": "Fuzz"],
        commonLabels: ["alertname": "Fuzz", "severity": "critical"], commonAnnotations: ["summary": "<b>\"fuzz\"</b> & {{x}}"],
        alerts: [Alert(status: .firing, labels: ["alertname": "Fuzz", "instance": "a\r\nb"], startsAt: Timestamp(seconds: 1_700_000_000))]
    )

    /// Alert data from the input through every default template.
    static func render(_ notification: AlertNotification) {
        var context = TemplateContext(notification: notification, receiver: "fuzz")
        context.set("subject", TemplateLibrary.defaults.named("email.subject", format: .text).render(context))
        for (name, _) in DefaultTemplates.all {
            _ = TemplateLibrary.defaults.named(name, format: name.hasSuffix("html") ? .html : .slackMrkdwn).render(context)
        }
    }
}
