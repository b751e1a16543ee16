import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

@Suite struct TemplateTests {
    let directory: URL
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func context(_ file: String = "alertmanager/01-firing-2-alerts.json", _ mutate: (inout AlertNotification) -> Void = { _ in }) throws -> TemplateContext {
        var notification = try AlertNotification.decode(json: try Fixtures.bytes(file))
        mutate(&notification)
        return TemplateContext(notification: notification, receiver: "oncall")
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func theDefaultPlainTextBodyShowsEveryAlertWithItsLabelsAndLinks() throws {
        var context = try context()
        context.set("subject", "[FIRING:2] DiskFull")
        let lines = TemplateLibrary.defaults.named("email.text", format: .text).render(context).components(separatedBy: "\n")
        #expect(lines.first == "[FIRING:2] DiskFull")
        #expect(lines.filter { $0.hasPrefix("[FIRING] ") } == ["[FIRING] DiskFull on db1:9100", "[FIRING] DiskFull on db2:9100"])
        #expect(lines.contains("  instance = db2:9100"))
        #expect(lines.contains("  Runbook: https://runbooks.example.org/disk"))
        #expect(!lines.contains { $0.contains("Ended") }, "a firing alert has not ended")
        let resolved = TemplateLibrary.defaults.named("email.text", format: .text).render(try self.context("alertmanager/03-resolved.json"))
        #expect(resolved.contains("[RESOLVED] ") && resolved.contains("  Ended: "))
    }

    @Test func eachFormatEscapesValuesForWhereTheyGo() throws {
        let hostile = "<b>\"&'\u{1}\n🔥"
        let context = try context { $0.commonLabels["team"] = hostile }
        func render(_ source: String, _ format: TemplateFormat) throws -> String {
            try TemplateLibrary.defaults.template(source, format: format).render(context)
        }
        #expect(try render("{{commonLabels.team}}", .text) == hostile)
        #expect(try render("{{commonLabels.team}}", .html) == "&lt;b&gt;&quot;&amp;&#39;\u{1}\n🔥")
        #expect(try render("{{commonLabels.team}}", .slackMrkdwn) == "&lt;b&gt;\"&amp;'\u{1}\n🔥")
        let json = try render("{\"team\": \"{{commonLabels.team}}\"}", .json)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(decoded?["team"] == hostile, "any value survives a JSON template intact")
        #expect(try render("{{{commonLabels.team}}}", .html) == hostile, "triple braces insert a value as it is")
    }

    @Test func anIncludedTemplateEscapesForTheFormatOfItsCaller() throws {
        let context = try context { $0.alerts[0].annotations["summary"] = "disk <90% & rising" }
        let text = TemplateLibrary.defaults.named("email.text", format: .text).render(context)
        let html = TemplateLibrary.defaults.named("email.html", format: .html).render(context)
        let slack = TemplateLibrary.defaults.named("slack.text", format: .slackMrkdwn).render(context)
        #expect(text.contains("[FIRING] disk <90% & rising"))
        #expect(html.contains("<strong>disk &lt;90% &amp; rising</strong>"))
        #expect(slack.contains("• disk &lt;90% &amp; rising"))
    }

    @Test func onlyWebLinksAreOffered() throws {
        let context = try context {
            $0.alerts[0].annotations["runbook_url"] = "javascript:alert(1)"
            $0.alerts[1].annotations["runbook_url"] = "https://runbooks.example.org/a|b>c"
        }
        let links = try TemplateLibrary.defaults.template("{{#alerts}}{{#links}}{{label}}={{url}};{{/links}}\n{{/alerts}}", format: .text).render(context)
        let lines = links.split(separator: "\n")
        #expect(!lines[0].contains("Runbook"), "a javascript: runbook is not a link")
        #expect(lines[1].contains("Runbook=https://runbooks.example.org/a%7Cb%3Ec;"))
    }

    @Test func firingAndResolvedAlertsOfOneGroupAreShownApart() throws {
        var context = try context("alertmanager/02-firing-1-resolved-1-firing.json")
        context.set("subject", "[FIRING:1] DiskFull")
        let text = TemplateLibrary.defaults.named("email.text", format: .text).render(context)
        let firing = try #require(text.range(of: "Firing (1)"))
        let resolved = try #require(text.range(of: "Resolved (1)"))
        #expect(firing.upperBound < resolved.lowerBound)
        #expect(text[firing.upperBound..<resolved.lowerBound].contains("[FIRING] DiskFull on db2:9100"))
        #expect(text[resolved.upperBound...].contains("[RESOLVED] DiskFull on db1:9100"))
        let slack = TemplateLibrary.defaults.named("slack.text", format: .slackMrkdwn).render(context)
        #expect(slack.components(separatedBy: "\n").prefix(5) == ["*[FIRING:1] DiskFull*", "_Firing:_", "• DiskFull on db2:9100", "_Resolved:_", "• DiskFull on db1:9100"])
        let html = TemplateLibrary.defaults.named("email.html", format: .html).render(context)
        #expect(html.contains("<h3>Firing (1)</h3>") && html.contains("<h3>Resolved (1)</h3>"))
    }

    @Test func aFiringAlertOffersASilencePrefilledWithItsLabels() throws {
        let context = try context("alertmanager/02-firing-1-resolved-1-firing.json")
        let links = try TemplateLibrary.defaults.template("{{#alerts}}{{status}}:{{#links}}{{label}}={{url}};{{/links}}\n{{/alerts}}", format: .text).render(context)
        let lines = links.split(separator: "\n")
        try #require(lines.count == 2)
        #expect(lines[0].hasPrefix("resolved:") && !lines[0].contains("Silence="), "a resolved alert needs no silence")
        #expect(lines[1].contains(
            "Silence=http://vm:9093/#/silences/new?filter=%7Balertname%3D%22DiskFull%22%2Cinstance%3D%22db2%3A9100%22%2Cjob%3D%22node%22%2Cseverity%3D%22critical%22%7D;"
        ))
        // Grafana sends its own silence, dashboard and panel links, and the values that fired: all reach the templates.
        let grafana = try self.context("grafana/01-firing-signed.json")
        let rendered = try TemplateLibrary.defaults.template("{{#alerts}}{{valueString}}|{{#links}}{{label}} {{/links}}{{/alerts}}", format: .text).render(grafana)
        #expect(rendered == "[ var='B' labels={model=llama-3.1-70b} value=12.4 ], [ var='C' labels={model=llama-3.1-70b} value=1 ]|Dashboard Panel Source Silence ")
        let email = TemplateLibrary.defaults.named("email.text", format: .text).render(grafana)
        #expect(email.contains("  Value: [ var='B'"))
    }

    @Test func aLinkThatIsNotHTTPIsNeverOffered() throws {
        let context = try context { $0.externalURL = "javascript:alert(document.cookie)" }
        let html = TemplateLibrary.defaults.named("email.html", format: .html).render(context)
        let text = TemplateLibrary.defaults.named("email.text", format: .text).render(context)
        #expect(!html.contains("javascript:") && !text.contains("javascript:"))
        #expect(!html.contains(">Alertmanager</a>"))
    }

    @Test func slackShowsWhenEachAlertStartedInTheReadersTimeZone() throws {
        let context = try context()
        let alert = try #require(context.alert(at: 0))
        let block = TemplateLibrary.defaults.named("slack.alert", format: .slackMrkdwn).render(alert)
        #expect(block.contains("*Started:* <!date^1795980600^{date_short_pretty} {time}|2026-11-29T19:30:00Z>"))
    }

    @Test func aFileReplacesADefaultEverywhereAndOthersAreIncludedByName() throws {
        let subject = try write("email.subject.mustache", "ALERT {{name}} ({{counts.total}})")
        let body = try write("oncall.text.mustache", "{{#alerts}}{{labels.instance}} {{/alerts}}")
        let library = try TemplateLibrary(files: [subject, body])
        #expect(library.named("email.subject", format: .text).render(try context()) == "ALERT DiskFull (2)")
        #expect(try library.template("Hosts: {{> oncall.text}}", format: .text).render(try context()) == "Hosts: db1:9100 db2:9100 ")
        #expect(TemplateLibrary.defaults.named("email.subject", format: .text).render(try context()) == "[FIRING:2] DiskFull")
    }

    @Test func aTestFireIsMarkedInTheDefaultTitle() throws {
        let context = try context { $0.commonLabels["alertrelay_test"] = "true" }
        #expect(TemplateLibrary.defaults.named("slack.title", format: .text).render(context) == "[TEST] [FIRING:2] DiskFull")
    }

    @Test(arguments: [
        ("Hello\n{{#alerts}}{{summary}}", "line 2", "a section is never closed"),
        ("{{#alerts}}{{/alert}}", "line 1", "closed with a different name"),
        ("{{summary", "line 1", "ends inside a tag"),
        ("{{> oncall.txt}}", "oncall.txt", "names no template"),
    ])
    func aBrokenTemplateIsRefusedWithItsPosition(_ example: (source: String, position: String, message: String)) {
        do {
            _ = try TemplateLibrary.defaults.template(example.source, format: .text, key: "html")
            Issue.record("\(example.source) was accepted")
        } catch {
            #expect(error.key == "html")
            #expect(error.message.contains(example.position), "\(error.message)")
            #expect(error.message.contains(example.message), "\(error.message)")
        }
    }

    @Test func aBrokenOrMissingFileIsRefusedWithItsPath() throws {
        let broken = try write("broken.mustache", "ok\n{{#alerts}}")
        #expect(throws: TemplateError.self) { try TemplateLibrary(files: [broken]) }
        do {
            _ = try TemplateLibrary(files: [broken])
        } catch {
            #expect(error.message.hasPrefix("\(broken): line 2"))
        }
        do {
            _ = try TemplateLibrary(files: [directory.appendingPathComponent("missing.mustache").path])
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.message.contains("missing.mustache: cannot read"))
        }
    }
}

/// The templates shipped in config/templates render what they promise for real Alertmanager payloads.
@Suite struct ShippedTemplateTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/templates")

    let library: TemplateLibrary
    init() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".mustache") }
        library = try TemplateLibrary(files: files.map { Self.directory.appendingPathComponent($0).path })
    }

    @Test(arguments: ["alertmanager/01-firing-2-alerts.json", "alertmanager/03-resolved.json"])
    func compactJSONIsOneValidObject(_ fixture: String) throws {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes(fixture))
        let body = try library.template("{{> compact.json}}", format: .json).render(TemplateContext(notification: notification, receiver: "hooks"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(object["status"] as? String == notification.status.rawValue)
        #expect((object["alerts"] as? [[String: Any]])?.count == notification.alerts.count)
        #expect((object["title"] as? String)?.hasSuffix("DiskFull") == true)
    }

    @Test func oncallTextIsOneLineAnAlert() throws {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/01-firing-2-alerts.json"))
        var context = TemplateContext(notification: notification, receiver: "oncall")
        context.set("subject", "[FIRING:2] DiskFull")
        let text = try library.template("{{> oncall.text}}", format: .text).render(context)
        #expect(text == "[FIRING:2] DiskFull\nFIRING DiskFull on db1:9100 (db1:9100)\nFIRING DiskFull on db2:9100 (db2:9100)\n")
    }
}
