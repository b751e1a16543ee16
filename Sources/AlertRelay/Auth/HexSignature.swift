import Foundation

/// A hex HMAC-SHA256 of the raw body in one header, with or without a `sha256=` prefix (GitHub's
/// `X-Hub-Signature-256` and the many senders that copied it).
public struct HexSignature: WebhookVerifier {
    public static let defaultHeader = "X-Hub-Signature-256"

    public var secrets: [Secret]
    public var header: String

    public var scheme: String { "hex" }

    public init(secrets: [Secret], header: String = Self.defaultHeader) {
        self.secrets = secrets
        self.header = header
    }

    public func verify(_ request: WebhookRequest, now: Date) -> Verification {
        guard let value = request.header(header) else { return .failed(.missingHeader(header)) }
        var text = value.trimmingHTTPWhitespace()
        if text.lowercased().hasPrefix("sha256=") { text = text.dropFirst(7) }
        guard let signature = Hex.decode(text), signature.count == 32 else { return .failed(.malformedHeader(header)) }
        for secret in secrets where constantTimeEqual(hmacSHA256(secret, request.body), signature) {
            return .passedWithoutReplayKey
        }
        return .failed(.noMatchingSignature)
    }

    public static func sign(body: [UInt8], secret: Secret, header: String = defaultHeader) -> [(name: String, value: String)] {
        [(header, "sha256=" + Hex.encode(hmacSHA256(secret, body)))]
    }
}
