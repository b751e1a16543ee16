import Foundation

/// One authentication scheme of a source. Verifiers are pure: the clock is passed in.
public protocol WebhookVerifier: Sendable {
    /// The scheme's name as written in the config (`grafana`, `standard-webhooks`, ...).
    var scheme: String { get }
    /// Whether the verdict depends on the body (a signature over it). A source whose schemes all decide from
    /// the headers (bearer, basic, none) refuses a bad credential before reading a byte of the body.
    var readsBody: Bool { get }
    func verify(_ request: WebhookRequest, now: Date) -> Verification
}

extension WebhookVerifier {
    public var readsBody: Bool { true }
}

public enum Verification: Sendable, Equatable {
    /// The request is authentic. `replayKey`, where the scheme has one, identifies this delivery: the same
    /// key seen again within `replayWindow` is a replay or a retry, not a new notification.
    case passed(replayKey: String?, replayWindow: Duration)
    case failed(AuthFailure)

    static let passedWithoutReplayKey = Verification.passed(replayKey: nil, replayWindow: .zero)
}

/// Why a request failed authentication. For logs only: a client is told "authentication failed", nothing more.
public enum AuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case missingHeader(String)
    case malformedHeader(String)
    case timestampOutsideTolerance(header: String)
    case noMatchingSignature
    case wrongCredentials

    public var description: String {
        switch self {
        case .missingHeader(let name): "missing header \(name)"
        case .malformedHeader(let name): "malformed header \(name)"
        case .timestampOutsideTolerance(let name): "timestamp in \(name) outside the tolerance"
        case .noMatchingSignature: "no signature matched a configured secret"
        case .wrongCredentials: "credentials did not match"
        }
    }
}

/// Reads a Unix timestamp (seconds) from a header and checks it against the clock.
func checkTimestamp(
    _ request: WebhookRequest, header: String, tolerance: Duration, now: Date
) -> Result<String, AuthFailure> {
    guard let text = request.header(header)?.trimmingHTTPWhitespace() else {
        return .failure(.missingHeader(header))
    }
    guard let seconds = Int64(text) else { return .failure(.malformedHeader(header)) }
    let skew = abs(now.timeIntervalSince1970 - Double(seconds))
    guard skew <= Double(tolerance.components.seconds) else {
        return .failure(.timestampOutsideTolerance(header: header))
    }
    return .success(String(text))
}

/// Equality of two ASCII strings (header names, media types) regardless of case.
func asciiCaseInsensitiveEqual(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
    guard lhs.utf8.count == rhs.utf8.count else { return false }
    return zip(lhs.utf8, rhs.utf8).allSatisfy { a, b in
        a == b || (a | 0x20 == b | 0x20 && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(a | 0x20))
    }
}

extension StringProtocol {
    /// Without the spaces and tabs around it (HTTP's optional whitespace), compared as bytes: Foundation's
    /// `trimmingCharacters(in: .whitespaces)` cost 3 % of a webhook's CPU at the ingest ceiling (perf).
    func trimmingHTTPWhitespace() -> Substring {
        let text = Substring(self)
        let bytes = text.utf8
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return text[text.endIndex...]
        }
        // Both ends sit next to ASCII (or the ends of the text): character boundaries.
        return text[first..<bytes.index(after: last)]
    }
}
