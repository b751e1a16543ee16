import Foundation

/// Text made safe for inside a JSON string, the one escaper every JSON AlertRelay writes goes through (the
/// webhook and stored payloads, templates rendered as JSON, the receipt, the log's JSON lines): quotes,
/// backslashes and control characters escaped, and U+2028 and U+2029, which some JavaScript parsers take for
/// line ends. Everything else stays as UTF-8.
public enum JSONEscaping {
    public static func escape(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the escaped UTF-8 of `text` (without quotes): bytes, for writers on the hot path.
    public static func append(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0a: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case ..<0x20: unicodeEscape(UInt16(byte), to: &bytes)
            case 0xe2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                let second = utf8.index(after: index)
                if second != utf8.endIndex, utf8[second] == 0x80 {
                    let third = utf8.index(after: second)
                    if third != utf8.endIndex, utf8[third] == 0xa8 || utf8[third] == 0xa9 {
                        unicodeEscape(utf8[third] == 0xa8 ? 0x2028 : 0x2029, to: &bytes)
                        index = utf8.index(after: third)
                        continue
                    }
                }
                bytes.append(byte)
            default: bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
    }

    /// `\uXXXX`, lower-case hex.
    private static func unicodeEscape(_ value: UInt16, to bytes: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(digits.utf8Start[Int((value >> UInt16(shift)) & 0x0f)])
        }
    }
}
