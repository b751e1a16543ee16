import Foundation

public enum AlertStatus: String, Sendable, Codable, Equatable {
    case firing
    case resolved

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let status = AlertStatus(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be \"firing\" or \"resolved\", got \"\(raw)\""
            )
        }
        self = status
    }
}
