import Foundation

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
