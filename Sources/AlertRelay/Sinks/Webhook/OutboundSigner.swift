import Foundation

/// Signs outgoing webhooks, so that a receiver across an untrusted network can check them (Alertmanager
/// cannot sign on its own). The same schemes AlertRelay verifies on ingest.
public enum OutboundSigner: Sendable {
    case standardWebhooks(Secret)
    case grafana(Secret, header: String, timestampHeader: String?)
    case hex(Secret, header: String)

    /// The signature headers for `body`. `id` stays the same across retries of one delivery, so the receiver
    /// can recognise a retry (Standard Webhooks' `webhook-id`).
    public func headers(body: [UInt8], id: String, now: Date) -> [(name: String, value: String)] {
        let timestamp = Int64(now.timeIntervalSince1970)
        switch self {
        case .standardWebhooks(let secret):
            return StandardWebhooks.sign(body: body, secret: secret, id: id, timestamp: timestamp)
        case .grafana(let secret, let header, let timestampHeader):
            return GrafanaSignature.sign(body: body, secret: secret, header: header, timestamp: timestampHeader.map { ($0, timestamp) })
        case .hex(let secret, let header):
            return HexSignature.sign(body: body, secret: secret, header: header)
        }
    }
}
