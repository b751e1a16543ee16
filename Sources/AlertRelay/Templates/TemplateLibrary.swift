import Foundation
import Mustache

/// The named templates a config can use: AlertRelay's defaults (``DefaultTemplates``), then the files the
/// config's `templates` list names, each under its file name without `.mustache`. A file named like a default
/// (`email.html.mustache`) replaces it everywhere; any other name is there to include with `{{> name}}`.
public struct TemplateLibrary: Sendable {
    /// swift-mustache renders every partial as HTML unless the partial says otherwise, so each template is
    /// compiled once per format, saying so, and a template of one format includes partials of the same.
    let mustache: [TemplateFormat: MustacheLibrary]
    public let names: Set<String>
    /// Where each template a file defined came from, for error messages.
    public let files: [String: String]

    /// The defaults alone.
    public static let defaults: TemplateLibrary = {
        do {
            return try TemplateLibrary(files: [])
        } catch {
            preconditionFailure("the built-in templates do not parse: \(error)")
        }
    }()

    /// The defaults, then these files in order (a later file of the same name wins); throws at the first
    /// file that cannot be read or parsed.
    public init(files paths: [String]) throws(TemplateError) {
        var errors: [TemplateError] = []
        self.init(files: paths, errors: &errors)
        if let first = errors.first { throw first }
    }

    /// The same, collecting every broken file's error instead: a broken file stands in as an empty template,
    /// so what includes it is still checked (and not reported again for a name that does exist).
    public init(files paths: [String], errors: inout [TemplateError]) {
        var sources: [String: String] = [:]
        var files: [String: String] = [:]
        for (name, text) in DefaultTemplates.all { sources[name] = text }
        for path in paths {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            files[name] = path
            if let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) {
                sources[name] = text
            } else {
                errors.append(TemplateError(message: "\(path): cannot read it (missing, permissions, or not UTF-8 text)"))
                sources[name] = ""
            }
        }
        var broken = Set<String>()
        var libraries: [TemplateFormat: MustacheLibrary] = [:]
        for format in TemplateFormat.allCases {
            var library = MustacheLibrary()
            for (name, text) in sources.sorted(by: { $0.key < $1.key }) {
                do {
                    guard !broken.contains(name) else { continue }
                    library.register(try Self.compile(text, format: format), named: name)
                } catch {
                    // Left out of the library but kept in `names`: an include of it renders nothing.
                    errors.append(TemplateError(message: "\(files[name] ?? "built-in template \(name)"): \(error.message)"))
                    broken.insert(name)
                }
            }
            libraries[format] = library
        }
        self.mustache = libraries
        self.names = Set(sources.keys)
        self.files = files
        for (name, text) in sources.sorted(by: { $0.key < $1.key }) where !broken.contains(name) {
            do {
                try checkPartials(in: text)
            } catch {
                errors.append(TemplateError(message: "\(files[name] ?? "built-in template \(name)"): \(error.message)"))
            }
        }
    }

    /// A template written in the config (`text: "{{> oncall.text}}"`); an error names `key`.
    public func template(_ source: String, format: TemplateFormat, key: String? = nil) throws(TemplateError) -> MessageTemplate {
        do {
            return try MessageTemplate(source: source, format: format, library: self)
        } catch {
            throw TemplateError(key: key, message: error.message)
        }
    }

    /// The library's template of this name: a default, or the file that replaced it.
    public func named(_ name: String, format: TemplateFormat) -> MessageTemplate {
        do {
            return try MessageTemplate(source: "{{> \(name)}}", format: format, library: self)
        } catch {
            preconditionFailure("\(name) is not a library template: \(error)")
        }
    }

    /// The pragma sets how the template escapes its values. On a line of its own it is "standalone" and leaves
    /// no trace in the output, so the template's first line stays first (and errors count lines without it).
    static func compile(_ text: String, format: TemplateFormat) throws(TemplateError) -> MustacheTemplate {
        _ = TemplateFormat.registered
        if let problem = GoTemplateSyntax.problem(in: text) { throw TemplateError(message: problem) }
        do {
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: \(format.rawValue)}}\n" + text)
        } catch let error as MustacheTemplate.ParserError {
            let line = max(error.context.lineNumber - 1, 1)
            throw TemplateError(message: "line \(line), column \(error.context.columnNumber): \(explain(error.error))")
        } catch {
            throw TemplateError(message: "\(error)")
        }
    }

    /// swift-mustache renders a missing partial as nothing; a misspelt `{{> name}}` is an error here instead.
    func checkPartials(in text: String) throws(TemplateError) {
        let pattern = /\{\{\s*[><]\s*([^\s}]+)\s*\}\}/
        for match in text.matches(of: pattern) {
            let name = String(match.output.1)
            if !name.hasPrefix("*"), !names.contains(name) {  // `{{>*field}}` is named at render time
                throw TemplateError(message: "{{> \(name)}} names no template (known: \(names.sorted().joined(separator: ", ")))")
            }
        }
    }

    static func explain(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
        case .unfinishedName: "a tag is not closed with }}"
        case .expectedSectionEnd: "a section is never closed ({{/name}} is missing)"
        case .invalidSetDelimiter: "invalid set-delimiter tag"
        case .transformAppliedToInheritanceSection: "a transform cannot apply to an inherited section"
        case .illegalTokenInsideInheritSection: "illegal tag inside an inherited section"
        case .textInsideInheritSection: "text inside an inherited section"
        case .invalidConfigVariableSyntax: "invalid {{% ...}} pragma"
        case .unrecognisedConfigVariable: "unknown {{% ...}} pragma (CONTENT_TYPE is TEXT, HTML, SLACK_MRKDWN or JSON)"
        case nil where "\(error)" == "overflow": "the template ends inside a tag ({{ without }})"
        case nil: "\(error)"
        }
    }
}
