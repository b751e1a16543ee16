import Foundation

/// A coding key for any string, used to list the keys a mapping really has.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { self.stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// Throws for the first key of this mapping that is not in `allowed`, naming its full path, so that a typo
    /// (`recievers`, `send_resloved`) is an error rather than a silently ignored setting.
    func rejectUnknownKeys(allowed: Set<String>) throws {
        let container = try container(keyedBy: AnyKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [key],
                    debugDescription: "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))"
                )
            )
        }
    }

    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        try rejectUnknownKeys(allowed: Set(Keys.allCases.map(\.stringValue)))
    }

    /// The keys of `keys` and the shared sink keys a sink kind takes (``SinkOptions``).
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type, and shared: Set<SinkOptions.Key>) throws {
        try rejectUnknownKeys(allowed: Set(Keys.allCases.map(\.stringValue)).union(shared.map(\.stringValue)))
    }
}

extension KeyedDecodingContainer {
    /// `decodeIfPresent` with a default, the usual shape of an optional config key.
    func decode<T: Decodable>(_ key: Key, default value: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? value()
    }

    /// A secret given inline under `key` or as a file path under its `*_file` twin (Prometheus' convention):
    /// one of the two, never both, or neither (`nil`).
    func secretIfPresent(_ key: Key, orFile fileKey: Key) throws -> SecretRef? {
        switch (try decodeIfPresent(SecretRef.self, forKey: key), try decodeIfPresent(String.self, forKey: fileKey)) {
        case (let value?, nil): return value
        case (nil, let file?): return .file(file)
        case (nil, nil): return nil
        case (_?, _?): throw invalid(fileKey, "give \(key.stringValue) or \(fileKey.stringValue), not both")
        }
    }

    /// ``secretIfPresent(_:orFile:)`` for a secret that must be there.
    func secret(_ key: Key, orFile fileKey: Key) throws -> SecretRef {
        guard let secret = try secretIfPresent(key, orFile: fileKey) else {
            throw invalid(key, "\(key.stringValue) or \(fileKey.stringValue) is required")
        }
        return secret
    }

    func invalid(_ key: Key, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: message)
    }
}
