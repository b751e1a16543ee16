import Foundation

/// One authentication scheme. Which keys are allowed depends on `type`.
public enum AuthConfig: Sendable, Decodable {
    case grafana(secrets: [SecretRef], header: String, timestampHeader: String?, tolerance: ConfigDuration)
    case standardWebhooks(secrets: [SecretRef], tolerance: ConfigDuration)
    case hex(secrets: [SecretRef], header: String)
    case bearer(credentials: [SecretRef])
    case basic(users: [BasicUserConfig])
    case none

    public static let types = ["grafana", "standard-webhooks", "hex", "bearer", "basic", "none"]
    static let defaultTolerance = ConfigDuration(.seconds(300))

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, secrets, secretsFile = "secrets_file", header, timestampHeader = "timestamp_header", tolerance
        case credentials, credentialsFile = "credentials_file", users
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        func allow(_ keys: CodingKeys...) throws {
            try decoder.rejectUnknownKeys(allowed: Set((keys + [.type]).map(\.stringValue)))
        }
        switch type {
        case "grafana":
            try allow(.secrets, .secretsFile, .header, .timestampHeader, .tolerance)
            self = .grafana(
                secrets: try Self.secrets(c, .secrets, .secretsFile),
                header: try c.decode(.header, default: GrafanaSignature.defaultHeader),
                timestampHeader: try c.decodeIfPresent(String.self, forKey: .timestampHeader),
                tolerance: try c.decode(.tolerance, default: Self.defaultTolerance)
            )
        case "standard-webhooks":
            try allow(.secrets, .secretsFile, .tolerance)
            self = .standardWebhooks(
                secrets: try Self.secrets(c, .secrets, .secretsFile),
                tolerance: try c.decode(.tolerance, default: Self.defaultTolerance)
            )
        case "hex":
            try allow(.secrets, .secretsFile, .header)
            self = .hex(
                secrets: try Self.secrets(c, .secrets, .secretsFile),
                header: try c.decode(.header, default: HexSignature.defaultHeader)
            )
        case "bearer":
            try allow(.credentials, .credentialsFile)
            self = .bearer(credentials: try Self.secrets(c, .credentials, .credentialsFile))
        case "basic":
            try allow(.users)
            self = .basic(users: try c.decode([BasicUserConfig].self, forKey: .users))
        case "none":
            try allow()
            self = .none
        default:
            throw c.invalid(.type, "unknown authentication type \"\(type)\" (expected one of: \(Self.types.joined(separator: ", ")))")
        }
    }

    /// A list of secrets under `key`, plus the files listed under its `*_file` twin (one path or several).
    private static func secrets(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, _ fileKey: CodingKeys
    ) throws -> [SecretRef] {
        var refs = try c.decode(key, default: [SecretRef]())
        if let path = try? c.decode(String.self, forKey: fileKey) {
            refs.append(.file(path))
        } else if c.contains(fileKey) {
            refs += try c.decode([String].self, forKey: fileKey).map(SecretRef.file)
        }
        guard !refs.isEmpty else {
            throw c.invalid(key, "at least one secret is required (under \(key.stringValue) or \(fileKey.stringValue))")
        }
        return refs
    }

    public var type: String {
        switch self {
        case .grafana: "grafana"
        case .standardWebhooks: "standard-webhooks"
        case .hex: "hex"
        case .bearer: "bearer"
        case .basic: "basic"
        case .none: "none"
        }
    }
}

public struct BasicUserConfig: Sendable, Decodable {
    public var username: String
    public var password: SecretRef

    enum CodingKeys: String, CodingKey, CaseIterable {
        case username, password, passwordFile = "password_file"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        username = try c.decode(String.self, forKey: .username)
        password = try c.secret(.password, orFile: .passwordFile)
    }
}
