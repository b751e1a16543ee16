import Foundation

/// Grafana Alerting's webhook HMAC: the hex HMAC-SHA256 of the body in `X-Grafana-Alerting-Signature`, or of
/// `{timestamp}:{body}` when the contact point also sends a timestamp header.
public struct GrafanaSignature: WebhookVerifier {
    public static let defaultHeader = "X-Grafana-Alerting-Signature"

    public var secrets: [Secret]
    public var header: String
    public var timestampHeader: String?
    public var tolerance: Duration

    public var scheme: String { "grafana" }

    public init(
        secrets: [Secret], header: String = Self.defaultHeader, timestampHeader: String? = nil,
        tolerance: Duration = .seconds(300)
    ) {
        self.secrets = secrets
        self.header = header
        self.timestampHeader = timestampHeader
        self.tolerance = tolerance
    }

    public func verify(_ request: WebhookRequest, now: Date) -> Verification {
        guard let value = request.header(header) else { return .failed(.missingHeader(header)) }
        guard let signature = Hex.decode(value.trimmingHTTPWhitespace()), signature.count == 32 else {
            return .failed(.malformedHeader(header))
        }
        var prefix: [UInt8] = []
        if let timestampHeader {
            switch checkTimestamp(request, header: timestampHeader, tolerance: tolerance, now: now) {
            case .failure(let failure): return .failed(failure)
            case .success(let timestamp): prefix = Array((timestamp + ":").utf8)
            }
        }
        for secret in secrets where constantTimeEqual(hmacSHA256(secret, prefix, request.body), signature) {
            // Without a timestamp the same signature is valid forever: no replay window to speak of.
            guard timestampHeader != nil else { return .passedWithoutReplayKey }
            return .passed(replayKey: "grafana:" + Hex.encode(signature), replayWindow: tolerance * 2)
        }
        return .failed(.noMatchingSignature)
    }

    /// The headers a Grafana contact point with this secret would send.
    public static func sign(
        body: [UInt8], secret: Secret, header: String = defaultHeader, timestamp: (header: String, value: Int64)?
    ) -> [(name: String, value: String)] {
        guard let timestamp else { return [(header, Hex.encode(hmacSHA256(secret, body)))] }
        let signature = hmacSHA256(secret, Array("\(timestamp.value):".utf8), body)
        return [(timestamp.header, String(timestamp.value)), (header, Hex.encode(signature))]
    }
}
