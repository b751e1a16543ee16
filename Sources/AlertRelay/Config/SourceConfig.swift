import Foundation

/// One sender: its authentication schemes (one must pass) and limits.
public struct SourceConfig: Sendable, Decodable {
    public var auth: [AuthConfig]
    public var maxBodySize: ByteSize?
    /// Authenticated webhooks per second this source may send (0 or absent: no limit), with bursts of
    /// `rate_burst` (default: twice the rate, at least 10); over it, 429 with `Retry-After`.
    public var rateLimit: Double
    public var rateBurst: Int?
    /// Webhooks of this source must come over TLS with a client certificate that `server.tls.client_ca_file`
    /// verifies, in addition to passing `auth`.
    public var clientCertificate: ClientCertificateConfig?
    /// Sources that name the same group share one dedup log (an HA pair posting to two sources); by default
    /// each source dedups only against itself, so no sender can suppress what another sends.
    public var dedupGroup: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case auth, maxBodySize = "max_body_size", rateLimit = "rate_limit", rateBurst = "rate_burst", clientCertificate = "client_certificate"
        case dedupGroup = "dedup_group"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        auth = try c.decode([AuthConfig].self, forKey: .auth)
        maxBodySize = try c.decodeIfPresent(ByteSize.self, forKey: .maxBodySize)
        rateLimit = try c.decode(.rateLimit, default: 0)
        rateBurst = try c.decodeIfPresent(Int.self, forKey: .rateBurst)
        clientCertificate = try c.decodeIfPresent(ClientCertificateConfig.self, forKey: .clientCertificate)
        dedupGroup = try c.decodeIfPresent(String.self, forKey: .dedupGroup)
        if let dedupGroup, dedupGroup.isEmpty { throw c.invalid(.dedupGroup, "must not be empty") }
        guard rateLimit >= 0, rateLimit <= 1_000_000 else { throw c.invalid(.rateLimit, "must be between 0 (no limit) and 1000000 per second") }
        if let rateBurst, rateBurst < 1 { throw c.invalid(.rateBurst, "must be at least 1") }
        if rateBurst != nil, rateLimit == 0 { throw c.invalid(.rateBurst, "only applies with a rate_limit") }
    }
}

/// `sources.NAME.client_certificate`: which verified client certificates a source accepts.
public struct ClientCertificateConfig: Sendable, Decodable {
    /// The subject common names allowed; empty: any certificate the client CA signed.
    public var commonNames: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case commonNames = "common_names" }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        commonNames = try c.decode(.commonNames, default: [])
        if commonNames.contains(where: \.isEmpty) { throw c.invalid(.commonNames, "must not hold an empty name") }
    }
}
