import Foundation

/// The `file` sink: an append-only JSON Lines outbox, one accepted notification a line.
public struct FileSinkConfig: Sendable, Decodable {
    /// Relative to the data directory unless absolute.
    public var path: String
    /// `send_resolved` only: a local append needs no timeout, and runs 32 at a time.
    public var options: SinkOptions

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path
    }

    static let defaults = SinkOptions(sendResolved: true, maxConcurrency: 32)

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self, and: [.sendResolved])
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        options = try SinkOptions(from: decoder, keys: [.sendResolved], defaults: Self.defaults)
    }
}

extension ConfigResolver {
    /// The outbox's path, relative to the data directory unless absolute.
    mutating func resolve(file sink: FileSinkConfig, at path: String, dataDirectory: URL) -> String? {
        guard !sink.path.isEmpty else {
            report("\(path).path", "must not be empty")
            return nil
        }
        return ConfigLoader.resolve(path: sink.path, against: dataDirectory).path
    }
}
