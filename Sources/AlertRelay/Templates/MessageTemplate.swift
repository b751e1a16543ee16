import Foundation
import Mustache

/// A template that failed to parse or refers to a template that does not exist, with where.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    /// The config key the template came from, relative to its sink (`headers.Subject`, `text`), when known.
    public var key: String?
    public var message: String

    public init(key: String? = nil, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.map { "\($0): \(message)" } ?? message }
}

/// A compiled template and the library its partials (`{{> name}}`) come from.
public struct MessageTemplate: Sendable {
    /// The template as written in the config, or `{{> name}}` for a library template.
    public let source: String
    public let format: TemplateFormat
    let template: MustacheTemplate
    let library: MustacheLibrary

    init(source: String, format: TemplateFormat, library: TemplateLibrary) throws(TemplateError) {
        self.source = source
        self.format = format
        self.library = library.mustache[format] ?? MustacheLibrary()
        template = try TemplateLibrary.compile(source, format: format)
        try library.checkPartials(in: source)
    }

    /// Compiles the template a config key holds, or takes the library's default when the key is absent.
    static func compile(
        _ source: String?, key: String, default name: String, format: TemplateFormat, library: TemplateLibrary
    ) throws(TemplateError) -> MessageTemplate {
        guard let source else { return library.named(name, format: format) }
        return try library.template(source, format: format, key: key)
    }

    public func render(_ context: TemplateContext) -> String {
        template.render(context.values, library: library)
    }
}
