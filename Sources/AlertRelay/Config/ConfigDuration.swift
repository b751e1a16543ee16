import Foundation

/// A duration written as Prometheus writes them: `30s`, `5m`, `1h30m`, `250ms`, `1d`, `1w`, `1y`, or `0`.
public struct ConfigDuration: Sendable, Equatable, Comparable, Decodable, CustomStringConvertible {
    public var duration: Duration
    public let text: String

    public init(_ duration: Duration) {
        self.duration = duration
        self.text = "\(duration.components.seconds)s"
    }

    /// Units from the largest down, each at most once and in this order, as Prometheus requires.
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
        ("s", 1000), ("ms", 1),
    ]

    public init?(parsing text: String) {
        self.text = text
        if text == "0" {
            self.duration = .zero
            return
        }
        var rest = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, digits.count <= 12, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let suffix = rest.hasPrefix("ms") ? "ms" : rest.first.map(String.init) ?? ""
            guard let unit = Self.units.firstIndex(where: { $0.suffix == suffix }), unit >= nextUnit else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: Self.units[unit].milliseconds)
            guard !overflow else { return nil }
            total += product
            rest = rest.dropFirst(Self.units[unit].suffix.count)
            nextUnit = unit + 1
        }
        guard !text.isEmpty else { return nil }
        self.duration = .milliseconds(total)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = ConfigDuration(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "invalid duration \"\(text)\": write a number and a unit (ms, s, m, h, d, w, y), e.g. 30s, 5m or 1h30m"
            )
        }
        self = parsed
    }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool { lhs.duration < rhs.duration }
    public static func == (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool { lhs.duration == rhs.duration }
    public var description: String { text }
}

/// A size in bytes: `1048576`, `512KiB`, `1MiB`, `2GiB` (powers of 1024) or `500KB`, `1MB` (powers of 1000).
public struct ByteSize: Sendable, Equatable, Decodable, CustomStringConvertible {
    public var bytes: Int
    public init(bytes: Int) { self.bytes = bytes }

    private static let units: [String: Int] = [
        "": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "KB": 1000, "MB": 1_000_000, "GB": 1_000_000_000,
    ]

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix(while: \.isASCIIDigit)
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, let value = Int(digits), let scale = Self.units[unit] else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        self.bytes = bytes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bytes = try? container.decode(Int.self) {
            self.bytes = bytes
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = ByteSize(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "invalid size \"\(text)\": write bytes or a number with B, KiB, MiB, GiB, KB, MB or GB, e.g. 1MiB"
            )
        }
        self = parsed
    }

    public var description: String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20)MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10)KiB" }
        return "\(bytes)B"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
