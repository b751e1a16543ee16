import Foundation

/// How a webhook sink signs what it sends: `type` is `standard-webhooks`, `grafana` or `hex`.
public struct SigningConfig: Sendable, Decodable {
    public var type: String
    public var secret: SecretRef
    public var header: String?
    public var timestampHeader: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, secret, secretFile = "secret_file", header, timestampHeader = "timestamp_header"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        guard ["standard-webhooks", "grafana", "hex"].contains(type) else {
            throw c.invalid(.type, "unknown signing type \"\(type)\" (expected standard-webhooks, grafana or hex)")
        }
        secret = try c.secret(.secret, orFile: .secretFile)
        header = try c.decodeIfPresent(String.self, forKey: .header)
        timestampHeader = try c.decodeIfPresent(String.self, forKey: .timestampHeader)
        if type == "standard-webhooks", header != nil || timestampHeader != nil {
            throw c.invalid(.header, "standard-webhooks uses its own headers")
        }
    }
}
