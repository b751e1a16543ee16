import Foundation

public struct DedupConfig: Sendable, Decodable {
    public var window = ConfigDuration(.seconds(300))

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case window }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        window = try decoder.container(keyedBy: CodingKeys.self).decode(.window, default: window)
    }
}
