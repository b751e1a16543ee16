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

enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex of either case; `nil` on an odd length or a non-hex character.
    static func decode(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
