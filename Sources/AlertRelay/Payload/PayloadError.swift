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
