import Crypto
import Foundation

/// Key material for verifying or signing webhooks. It prints as `<secret>`, so that no log line, error or
/// `dump` can show it by accident.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    var key: SymmetricKey { SymmetricKey(data: bytes) }

    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }

    /// Compares in time that depends on neither value: both sides are hashed first, so even their lengths
    /// are not revealed.
    public func matches(_ candidate: some Collection<UInt8>) -> Bool {
        constantTimeEqual(SHA256.hash(data: bytes), SHA256.hash(data: Array(candidate)))
    }
}

/// Equality of two digests in constant time.
func constantTimeEqual(_ lhs: some Sequence<UInt8>, _ rhs: some Sequence<UInt8>) -> Bool {
    let a = Array(lhs)
    let b = Array(rhs)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}

/// HMAC-SHA256 over the concatenation of `parts`, without copying the body.
func hmacSHA256(_ secret: Secret, _ parts: [UInt8]...) -> [UInt8] {
    var hmac = HMAC<SHA256>(key: secret.key)
    for part in parts { hmac.update(data: part) }
    return Array(hmac.finalize())
}
