import Foundation
import Yams

extension ConfigResolver {
    /// The `templates` files, each glob expanded in order, in a library with the defaults.
    mutating func loadTemplates(_ patterns: [String]) {
        var files: [String] = []
        for (index, pattern) in patterns.enumerated() {
            if pattern.hasSuffix(".tmpl") {
                warnings.append(ConfigIssue(
                    path: "templates[\(index)]",
                    message: "ignored: *.tmpl files are Go templates (Alertmanager's); AlertRelay's are Mustache files (*.mustache), see the README's Templates"
                ))
                continue
            }
            let absolute = ConfigLoader.resolve(path: pattern, against: baseDirectory).path
            let matches = Glob.expand(absolute)
            if matches.isEmpty, !pattern.contains(where: { "*?[".contains($0) }) {
                report("templates[\(index)]", "no such file: \(absolute)")
            }
            files += matches
        }
        var errors: [TemplateError] = []
        templates = TemplateLibrary(files: files, errors: &errors)
        for error in errors { report("templates", error.message) }
    }

    mutating func report(_ error: TemplateError, at path: String) {
        report(error.key.map { "\(path).\($0)" } ?? path, "template: \(error.message)")
    }

    /// A JSON body template must give JSON for any alert: it is tried on one whose values hold every
    /// character that needs escaping, so a missing pair of quotes shows here and not at the receiver.
    static func invalidJSON(_ template: MessageTemplate) -> String? {
        let hostile = "quote \" backslash \\ newline \n tab \t <b>&amp;</b> 🔥"
        let sample = AlertNotification(
            status: .firing, receiver: "sample", groupKey: "{}:{alertname=\"Sample\"}", groupLabels: ["alertname": "Sample"],
            commonLabels: ["alertname": "Sample", "severity": "critical"], commonAnnotations: ["summary": hostile],
            externalURL: "http://alertmanager.example.org:9093",
            alerts: [
                Alert(
                    status: .firing, labels: ["alertname": "Sample", "severity": "critical", "instance": hostile],
                    annotations: ["summary": hostile, "description": hostile, "runbook_url": "https://runbooks.example.org/sample"],
                    startsAt: Timestamp(seconds: 1_700_000_000), generatorURL: "http://prometheus.example.org:9090/graph?g0.expr=up&g0.tab=1"
                ),
                Alert(status: .resolved, labels: ["alertname": "Sample", "severity": "critical"], startsAt: Timestamp(seconds: 1_700_000_000)),
            ]
        )
        let delivery = Delivery(
            jobID: 1, notificationID: "sample", source: "sample", acceptedAt: Date(), receiver: "sample", notification: sample, attempt: 1
        )
        let rendered = template.render(TemplateContext(delivery))
        do {
            _ = try JSONSerialization.jsonObject(with: Data(rendered.utf8), options: [.fragmentsAllowed])
            return nil
        } catch {
            return "template: does not render valid JSON for a sample alert; write values inside quotes, as "
                + "\"{{labels.instance}}\". It rendered: \(rendered.prefix(200))"
        }
    }
}
