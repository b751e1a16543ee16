import AlertRelay
import Foundation
import Logging

/// Log lines for machines, on standard error: `logfmt` (Prometheus' and Alertmanager's default) or `json`,
/// one event a line, with every metadata key (request and delivery ids included) as a field.
public struct StructuredLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case logfmt, json
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    let format: Format
    let write: @Sendable (String) -> Void

    public init(
        label: String, format: Format, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Self.timestamp(Date())
        var pairs: [(String, String)] = [("ts", time), ("level", event.level.rawValue), ("logger", label), ("msg", event.message.description)]
        pairs += fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.description) }
        if let error = event.error { pairs.append(("err", "\(error)")) }
        switch format {
        case .logfmt:
            write(pairs.map { "\($0.0)=\(Self.logfmtValue($0.1))" }.joined(separator: " ") + "\n")
        case .json:
            write("{" + pairs.map { "\(Self.jsonString($0.0)):\(Self.jsonString($0.1))" }.joined(separator: ",") + "}\n")
        }
    }

    static func timestamp(_ date: Date) -> String {
        Timestamp(date).rfc3339
    }

    /// Bare when it can be, quoted (with `\"`, `\\`, `\n` escaped) when it holds a space, `=` or a quote.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline || $0 == "\\" }
        guard needsQuotes else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    static func jsonString(_ value: String) -> String {
        "\"" + JSONEscaping.escape(value) + "\""
    }
}
