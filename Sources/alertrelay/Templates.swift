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
            The data templates see is described in the README, section "Templates".
            """
    )

    @Argument(help: "A template name, e.g. email.html.")
    var name: String?

    @Option(name: .customLong("config.file"), help: "Also load the template files this config names (default: config/alertrelay.yml when it exists).")
    var configFile: String?

    @Option(help: "Render the template with this webhook payload (a JSON file) and print the result.")
    var render: String?

    @Option(help: "How to escape values when rendering: text, html, slack or json (default: by the name).")
    var format: String?

    func run() throws {
        var library = TemplateLibrary.defaults
        let defaultConfig = "config/alertrelay.yml"
        if let file = configFile ?? (FileManager.default.fileExists(atPath: defaultConfig) ? defaultConfig : nil) {
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
        let formats: [String: TemplateFormat] = ["text": .text, "html": .html, "slack": .slackMrkdwn, "json": .json]
        guard let format = formats[format ?? Self.format(of: name)] else { throw ValidationError("--format is one of text, html, slack, json") }
        let notification: AlertNotification
        guard let data = FileManager.default.contents(atPath: render) else {
            FileHandle.standardError.write(Data("alertrelay: cannot read \(render)\n".utf8))
            throw ExitCode(1)
        }
        do {
            notification = try AlertNotification.decode(json: Array(data))
        } catch {
            FileHandle.standardError.write(Data("alertrelay: \(render) is not a webhook payload: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var context = TemplateContext(notification: notification, receiver: notification.receiver)
        context.set("subject", library.named("email.subject", format: .text).render(context))
        print(library.named(name, format: format).render(context), terminator: "")
    }

    /// The format a template of this name is usually rendered in.
    static func format(of name: String) -> String {
        if name.hasSuffix("html") { return "html" }
        if name.hasSuffix("json") { return "json" }
        if name == "slack.text" || name == "slack.alert" { return "slack" }
        return "text"
    }
}
