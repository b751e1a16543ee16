import Foundation
import Yams

/// A source as the service uses it: secrets read, verifiers built.
public struct Source: Sendable {
    public var name: String
    public var verifiers: [any WebhookVerifier]
    public var maxBodySize: Int
    /// Authenticated webhooks per second and the burst allowed, when limited.
    public var rateLimit: (perSecond: Double, burst: Int)?
    /// Set when the source's webhooks must carry a verified client certificate.
    public var clientCertificate: ClientCertificatePolicy?
    /// What this source's notifications are deduplicated against: its own name, or the `dedup_group` it
    /// shares with other sources.
    public var dedupScope: String

    public init(
        name: String, verifiers: [any WebhookVerifier], maxBodySize: Int, rateLimit: (perSecond: Double, burst: Int)? = nil,
        clientCertificate: ClientCertificatePolicy? = nil, dedupGroup: String? = nil
    ) {
        self.name = name
        self.dedupScope = dedupGroup.map { "group:" + $0 } ?? "source:" + name
        self.verifiers = verifiers
        self.maxBodySize = maxBodySize
        self.rateLimit = rateLimit
        self.clientCertificate = clientCertificate
    }
}
