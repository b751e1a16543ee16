import Foundation

/// The admin API's bearer token (test-fire, reload, deliveries).
public struct AdminConfig: Sendable, Decodable {
    public var token: SecretRef?
    /// `/metrics` needs the admin token too (Prometheus' `authorization` in the scrape config sends it).
    public var protectMetrics = false

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case token, tokenFile = "token_file", protectMetrics = "protect_metrics" }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decodeIfPresent(SecretRef.self, forKey: .token) ?? c.decodeIfPresent(String.self, forKey: .tokenFile).map(SecretRef.file)
        protectMetrics = try c.decode(.protectMetrics, default: false)
        if protectMetrics, token == nil { throw c.invalid(.protectMetrics, "needs admin.token or admin.token_file") }
    }
}
