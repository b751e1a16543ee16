import Foundation

public struct StorageConfig: Sendable, Decodable {
    /// The data directory, relative to the config file's directory unless absolute.
    public var path = "data"
    /// How long delivered jobs (and their attempts) are kept before pruning; dead letters stay until replayed
    /// or dropped.
    public var deliveredRetention = ConfigDuration(.seconds(7 * 86_400))

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, deliveredRetention = "delivered_retention"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(.path, default: path)
        deliveredRetention = try c.decode(.deliveredRetention, default: deliveredRetention)
    }
}
