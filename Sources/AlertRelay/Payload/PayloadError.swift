import Foundation

/// Why a webhook body was refused, with the path of the offending field (`alerts[0].startsAt`), or `nil`
/// when the body as a whole was wrong (not JSON at all).
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String?
    public var reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String {
        field.map { "\($0): \(reason)" } ?? reason
    }
}

extension Notification {
    /// Decodes a webhook body exactly as received: through ``PayloadScanner`` when it can, else through
    /// JSONDecoder, whose every failure becomes a ``PayloadError`` that names the field at fault.
    public static func decode(json body: some Collection<UInt8>) throws(PayloadError) -> Notification {
        guard String(validating: body, as: UTF8.self) != nil else {
            throw PayloadError(field: nil, reason: "body is not valid UTF-8")
        }
        if let notification = PayloadScanner.notification(Array(body)) { return notification }
        do {
            return try JSONDecoder().decode(Notification.self, from: Data(body))
        } catch let error as DecodingError {
            throw PayloadError(error)
        } catch {
            throw PayloadError(field: nil, reason: "malformed JSON")
        }
    }
}

extension PayloadError {
    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: CodingPath.render(context.codingPath + [key]), reason: "required field is missing")
        case .valueNotFound(let type, let context):
            self.init(field: CodingPath.render(context.codingPath), reason: "expected \(CodingPath.describe(type)), got null")
        case .typeMismatch(let type, let context):
            self.init(field: CodingPath.render(context.codingPath), reason: "expected \(CodingPath.describe(type))")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self.init(field: nil, reason: "malformed JSON: \(Self.syntaxDetail(context))")
        case .dataCorrupted(let context):
            self.init(field: CodingPath.render(context.codingPath), reason: context.debugDescription)
        @unknown default:
            self.init(field: nil, reason: "malformed JSON")
        }
    }

    /// Foundation describes JSON syntax errors in its underlying error; keep its first line, which says where.
    private static func syntaxDetail(_ context: DecodingError.Context) -> String {
        guard let underlying = context.underlyingError else { return context.debugDescription }
        let detail = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(underlying)"
        return String(detail.prefix(200))
    }
}

/// Renders Codable paths the way an operator reads them: `alerts[0].labels.severity`.
public enum CodingPath {
    public static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "(top level)" : text
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [String: String].Type: "an object of strings"
        case is [String: Double].Type: "an object of numbers"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
