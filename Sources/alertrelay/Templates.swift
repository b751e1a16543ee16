import AlertRelay
import ArgumentParser
import Foundation

/// `alertrelay templates [NAME]`: the built-in templates, to copy and edit, and a preview of any template
/// with a real payload.
struct Templates: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the message templates, print one, or render one with a webhook payload.",
        discussion: """
            Without NAME, lists the built-in templates and the config's template files. With NAME, prints the
            template's source: copy it to a file NAME.mustache under the config's `templates` to replace it.
            With --render PAYLOAD, prints what the template makes of that webhook payload (Alertmanager JSON).
            With --render PAYLOAD --receiver NAME instead of NAME, prints what each sink of that receiver would
            send for the payload, exactly as sent: the Slack JSON, the email's MIME message, the webhook body.
            The data templates see is described in the README, section "Templates".
            """
    )

    @Option(help: "With --render: print what each sink of this receiver sends for the payload, exactly as sent.")
    var receiver: String?

    @Argument(help: "A template name, e.g. email.html.")
    var name: String?

    @Option(name: .customLong("config.file"), help: "Also load the template files this config names (default: config/alertrelay.yml when it exists).")
    var configFile: String?

    @Option(help: "Render the template with this webhook payload (a JSON file) and print the result.")
    var render: String?

    @Option(help: "How to escape values when rendering: text, html, slack or json (default: by the name).")
    var format: String?

    func validate() throws {
        if receiver != nil {
            guard render != nil, name == nil else { throw ValidationError("--receiver goes with --render PAYLOAD and no template NAME") }
        }
        if let format, !Self.formats.keys.contains(format) { throw ValidationError("--format is one of text, html, slack, json") }
    }

    func run() throws {
        var library = TemplateLibrary.defaults
        let defaultConfig = "config/alertrelay.yml"
        let file = configFile ?? (FileManager.default.fileExists(atPath: defaultConfig) ? defaultConfig : nil)
        if let receiver, let render {
            try renderAsSent(payload: render, receiver: receiver, configFile: file ?? defaultConfig)
            return
        }
        if let file {
            library = try loadForInspection(file).templates
        }
        guard let name else {
            for (name, _) in DefaultTemplates.all { print("\(name)\(library.files[name].map { "  (replaced by \($0))" } ?? "  (built in)")") }
            for (name, path) in library.files.sorted(by: { $0.key < $1.key }) where !DefaultTemplates.names.contains(name) {
                print("\(name)  (\(path))")
            }
            return
        }
        guard library.names.contains(name) else {
            FileHandle.standardError.write(Data("alertrelay: no template named \(name); `alertrelay templates` lists them\n".utf8))
            throw ExitCode(1)
        }
        guard let render else {
            if let path = library.files[name] {
                print(try String(contentsOfFile: path, encoding: .utf8), terminator: "")
            } else if let text = DefaultTemplates.all.first(where: { $0.name == name })?.text {
                print(text)
            }
            return
        }
        let format = Self.formats[format ?? Self.format(of: name)] ?? .text
        let notification = try Self.payload(render)
        var context = TemplateContext(notification: notification, receiver: notification.receiver)
        context.set("subject", library.named("email.subject", format: .text).render(context))
        print(library.named(name, format: format).render(context), terminator: "")
    }

    static let formats: [String: TemplateFormat] = ["text": .text, "html": .html, "slack": .slackMrkdwn, "json": .json]

    static func payload(_ path: String) throws -> AlertNotification {
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("alertrelay: cannot read \(path)\n".utf8))
            throw ExitCode(1)
        }
        do {
            return try AlertNotification.decode(json: Array(data))
        } catch {
            FileHandle.standardError.write(Data("alertrelay: \(path) is not a webhook payload: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Each sink of the receiver, and the bytes it would send for the payload (secrets are not needed: the
    /// config is read as `routes test` reads it, and nothing is sent).
    func renderAsSent(payload path: String, receiver name: String, configFile: String) throws {
        let config = try loadForInspection(configFile)
        guard let receiver = config.receivers[name] else {
            let known = config.receivers.keys.sorted().joined(separator: ", ")
            FileHandle.standardError.write(Data("alertrelay: no receiver named \(name) in \(configFile) (it has: \(known))\n".utf8))
            throw ExitCode(1)
        }
        let notification = try Self.payload(path)
        let delivery = Delivery(
            jobID: 1, notificationID: "preview", source: "preview", acceptedAt: Date(), receiver: name, notification: notification, attempt: 1
        )
        for sink in receiver.sinks {
            print("==> \(name) \(sink.address.sink)")
            guard let bytes = sink.preview(delivery, now: Date()) else {
                print("(nothing sent: every alert is resolved and this sink has send_resolved: false)\n")
                continue
            }
            print(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The format a template of this name is usually rendered in.
    static func format(of name: String) -> String {
        if name.hasSuffix("html") { return "html" }
        if name.hasSuffix("json") { return "json" }
        if name == "slack.text" || name == "slack.alert" { return "slack" }
        return "text"
    }
}
