import Foundation

/// Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and `webhook-signature`, a
/// space-separated list of `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}`.
public struct StandardWebhooks: WebhookVerifier {
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"

    public var secrets: [Secret]
    public var tolerance: Duration

    public var scheme: String { "standard-webhooks" }

    public init(secrets: [Secret], tolerance: Duration = .seconds(300)) {
        self.secrets = secrets
        self.tolerance = tolerance
    }

    /// Decodes a secret as the specification writes it: base64, optionally prefixed with `whsec_`.
    public static func secret(fromEncoded text: String) -> Secret? {
        let encoded = text.hasPrefix("whsec_") ? String(text.dropFirst(6)) : text
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { return nil }
        return Secret(bytes: Array(bytes))
    }

    public func verify(_ request: WebhookRequest, now: Date) -> Verification {
        guard let id = request.header(Self.idHeader), !id.isEmpty else { return .failed(.missingHeader(Self.idHeader)) }
        guard let signatures = request.header(Self.signatureHeader) else {
            return .failed(.missingHeader(Self.signatureHeader))
        }
        let timestamp: String
        switch checkTimestamp(request, header: Self.timestampHeader, tolerance: tolerance, now: now) {
        case .failure(let failure): return .failed(failure)
        case .success(let value): timestamp = value
        }
        let candidates = signatures.split(separator: " ").compactMap { entry -> [UInt8]? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { return nil }  // other versions (v1a) are not ours
            return Data(base64Encoded: String(parts[1])).map(Array.init)
        }
        guard !candidates.isEmpty else { return .failed(.malformedHeader(Self.signatureHeader)) }
        let content = Array("\(id).\(timestamp).".utf8)
        for secret in secrets {
            let expected = hmacSHA256(secret, content, request.body)
            if candidates.contains(where: { constantTimeEqual($0, expected) }) {
                return .passed(replayKey: "webhook-id:" + id, replayWindow: tolerance * 2)
            }
        }
        return .failed(.noMatchingSignature)
    }

    public static func sign(
        body: [UInt8], secret: Secret, id: String, timestamp: Int64
    ) -> [(name: String, value: String)] {
        let signature = hmacSHA256(secret, Array("\(id).\(timestamp).".utf8), body)
        return [
            (idHeader, id),
            (timestampHeader, String(timestamp)),
            (signatureHeader, "v1," + Data(signature).base64EncodedString()),
        ]
    }
}
