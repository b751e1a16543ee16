import AlertRelay
import Foundation
import Logging

/// Log lines on standard error, one event a line whatever a sender put in a label or a key: `text` for
/// people, `logfmt` (Prometheus' and Alertmanager's default) or `json` for pipelines, with every metadata key
/// (request and delivery ids included) as a field. Control characters are escaped in every format, so no
/// value can forge a line or drive a terminal.
public struct StructuredLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text, logfmt, json
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
        case .text:
            // `2026-11-30T08:00:00Z info alertrelay: Accepted webhook source=am alerts=2`
            let fields = pairs.dropFirst(4).map { "\($0.0)=\(Self.logfmtValue($0.1))" }
            write(([time, event.level.rawValue, label + ":", Self.escapingControls(event.message.description)] + fields).joined(separator: " ") + "\n")
        case .logfmt:
            write(pairs.map { "\($0.0)=\(Self.logfmtValue($0.1))" }.joined(separator: " ") + "\n")
        case .json:
            write("{" + pairs.map { "\(Self.jsonString($0.0)):\(Self.jsonString($0.1))" }.joined(separator: ",") + "}\n")
        }
    }

    static func timestamp(_ date: Date) -> String {
        Timestamp(date).rfc3339
    }

    /// Bare when it can be, quoted (with `\"`, `\\` and control characters escaped) when it holds a space,
    /// `=`, a quote, a backslash or a control character.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || isControl($0) }
        guard needsQuotes else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            default: quoted += escapingControls(String(scalar))
            }
        }
        return quoted + "\""
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: what can break a line.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// `\n`, `\r`, `\t` and `\u{…}` for every other control character; the rest unchanged.
    static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where isControl(scalar): escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    static func jsonString(_ value: String) -> String {
        "\"" + JSONEscaping.escape(value) + "\""
    }
}
