import Foundation

/// The payload decoder of the ingest hot path: one pass over the bytes, straight into ``AlertNotification``, for the
/// payloads Alertmanager and Grafana actually send. JSONDecoder took a third of a webhook's instructions
/// (callgrind); this takes a small fraction of that.
///
/// It is deliberately conservative. Anything out of the ordinary (a syntax error, a wrong type, a duplicate key,
/// Grafana's `values` map, a number that is not a plain integer, an escaped lone surrogate, deep nesting) makes
/// it give up, and ``AlertNotification/decode(json:)`` hands the body to JSONDecoder, which decides and names the
/// fault. Where it succeeds, the result is JSONDecoder's: the tests compare the two on every fixture and seed,
/// and the fuzzer compares them on everything it generates.
struct PayloadScanner {
    private let bytes: [UInt8]
    private var index = 0

    /// Not a payload this scanner takes: let JSONDecoder decide.
    struct GiveUp: Error {}

    /// The notification in `body`, or `nil` when JSONDecoder must decide.
    static func notification(_ body: [UInt8]) -> AlertNotification? {
        var scanner = PayloadScanner(bytes: body)
        return try? scanner.document()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: The payload's shape, as AlertNotification.init(from:) and Alert.init(from:) read it

    private mutating func document() throws(GiveUp) -> AlertNotification {
        let notification = try notificationObject()
        skipWhitespace()
        guard index == bytes.count else { throw GiveUp() }
        return notification
    }

    private mutating func notificationObject() throws(GiveUp) -> AlertNotification {
        var version: String?
        var status: AlertStatus?
        var alerts: [Alert]?
        var notification = AlertNotification(status: .firing, alerts: [])
        try object { scanner, key throws(GiveUp) in
            switch key {
            case "version": version = try scanner.string()
            case "status": status = try scanner.status()
            case "receiver": notification.receiver = try scanner.optionalString() ?? ""
            case "groupKey": notification.groupKey = try scanner.optionalString() ?? ""
            case "truncatedAlerts": notification.truncatedAlerts = try scanner.optional { s throws(GiveUp) in try s.integer() } ?? 0
            case "groupLabels": notification.groupLabels = try scanner.optional { s throws(GiveUp) in try s.stringMap() } ?? [:]
            case "commonLabels": notification.commonLabels = try scanner.optional { s throws(GiveUp) in try s.stringMap() } ?? [:]
            case "commonAnnotations": notification.commonAnnotations = try scanner.optional { s throws(GiveUp) in try s.stringMap() } ?? [:]
            case "externalURL": notification.externalURL = try scanner.optionalString() ?? ""
            case "alerts": alerts = try scanner.array { s throws(GiveUp) in try s.alertObject() }
            case "orgId": notification.orgId = try scanner.optional { s throws(GiveUp) in try s.integer() }
            case "state": notification.state = try scanner.optionalString()
            case "title": notification.title = try scanner.optionalString()
            case "message": notification.message = try scanner.optionalString()
            default: try scanner.skipValue(depth: 1)
            }
        }
        guard let version, AlertNotification.supportedVersions.contains(version), let status, let alerts, !alerts.isEmpty else {
            throw GiveUp()
        }
        notification.version = version
        notification.status = status
        notification.alerts = alerts
        return notification
    }

    private mutating func alertObject() throws(GiveUp) -> Alert {
        var status: AlertStatus?
        var labels: [String: String]?
        var startsAt: Timestamp?
        var fingerprint = ""
        var alert = Alert(status: .firing, labels: [:], startsAt: Timestamp(seconds: 0), fingerprint: "")
        try object { scanner, key throws(GiveUp) in
            switch key {
            case "status": status = try scanner.status()
            case "labels": labels = try scanner.stringMap()
            case "annotations": alert.annotations = try scanner.optional { s throws(GiveUp) in try s.stringMap() } ?? [:]
            case "startsAt": startsAt = try scanner.timestamp()
            case "endsAt":
                alert.endsAt = try scanner.optional { s throws(GiveUp) in try s.timestamp() }.flatMap { $0.isGoZero ? nil : $0 }
            case "generatorURL": alert.generatorURL = try scanner.optionalString() ?? ""
            case "fingerprint": fingerprint = try scanner.optionalString() ?? ""
            case "silenceURL": alert.silenceURL = try scanner.optionalString()
            case "dashboardURL": alert.dashboardURL = try scanner.optionalString()
            case "panelURL": alert.panelURL = try scanner.optionalString()
            case "valueString": alert.valueString = try scanner.optionalString()
            case "values":
                // Numbers as Doubles are left to JSONDecoder, so that both agree to the last bit; `null` is absent.
                guard scanner.null() else { throw GiveUp() }
            default: try scanner.skipValue(depth: 2)
            }
        }
        guard let status, let labels, let startsAt else { throw GiveUp() }
        alert.status = status
        alert.labels = labels
        alert.startsAt = startsAt
        alert.fingerprint = fingerprint.isEmpty ? Fingerprint.of(labels: labels) : fingerprint
        return alert
    }

    // MARK: Values

    private mutating func status() throws(GiveUp) -> AlertStatus {
        guard let status = AlertStatus(rawValue: try string()) else { throw GiveUp() }
        return status
    }

    private mutating func timestamp() throws(GiveUp) -> Timestamp {
        guard let timestamp = Timestamp(rfc3339: try string()) else { throw GiveUp() }
        return timestamp
    }

    private mutating func stringMap() throws(GiveUp) -> [String: String] {
        var map: [String: String] = [:]
        try object { scanner, key throws(GiveUp) in
            map[key] = try scanner.string()
        }
        return map
    }

    /// `null` is absent, as for `decodeIfPresent`.
    private mutating func optional<T>(_ value: (inout PayloadScanner) throws(GiveUp) -> T) throws(GiveUp) -> T? {
        if null() { return nil }
        return try value(&self)
    }

    private mutating func null() -> Bool {
        skipWhitespace()
        return literal("null")
    }

    private mutating func optionalString() throws(GiveUp) -> String? {
        try optional { s throws(GiveUp) in try s.string() }
    }

    /// An object; `member` reads each value (its key given). A key seen twice gives up: JSONDecoder's choice
    /// between the two is its own.
    private mutating func object(_ member: (inout PayloadScanner, String) throws(GiveUp) -> Void) throws(GiveUp) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if take(UInt8(ascii: "}")) { return }
        var seen = Set<String>()
        repeat {
            skipWhitespace()
            let key = try string()
            guard seen.insert(key).inserted else { throw GiveUp() }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    private mutating func array<T>(_ element: (inout PayloadScanner) throws(GiveUp) -> T) throws(GiveUp) -> [T] {
        skipWhitespace()
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        var elements: [T] = []
        if take(UInt8(ascii: "]")) { return elements }
        repeat {
            elements.append(try element(&self))
            skipWhitespace()
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
        return elements
    }

    /// A JSON string. Without escapes it is one copy of the bytes (checked UTF-8 by the caller).
    private mutating func string() throws(GiveUp) -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            guard bytes[index] >= 0x20 else { throw GiveUp() }  // control characters must be escaped
            index += 1
        }
        guard index < bytes.count else { throw GiveUp() }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
        }
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case ..<0x20:
                throw GiveUp()
            default:
                text.append(byte)
            }
        }
        throw GiveUp()
    }

    private mutating func escape(into text: inout [UInt8]) throws(GiveUp) {
        guard index < bytes.count else { throw GiveUp() }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0c)
        case UInt8(ascii: "n"): text.append(0x0a)
        case UInt8(ascii: "r"): text.append(0x0d)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A surrogate pair; a lone half is left to JSONDecoder.
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else { throw GiveUp() }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw GiveUp() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw GiveUp()
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw GiveUp() }
            text.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw GiveUp()
        }
    }

    private mutating func hex4() throws(GiveUp) -> UInt32 {
        guard index + 4 <= bytes.count else { throw GiveUp() }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw GiveUp()
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    /// A plain integer (`-12`, `0`): no fraction, no exponent, no leading zero, within `Int`.
    private mutating func integer() throws(GiveUp) -> Int {
        skipWhitespace()
        let negative = take(UInt8(ascii: "-"))
        let start = index
        var value = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { throw GiveUp() }
            value = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0"), !(negative && value == 0) else { throw GiveUp() }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { throw GiveUp() }
        return negative ? -value : value
    }

    /// Any JSON value, checked and dropped (a field AlertRelay does not read).
    private mutating func skipValue(depth: Int) throws(GiveUp) {
        guard depth < 64 else { throw GiveUp() }
        skipWhitespace()
        guard index < bytes.count else { throw GiveUp() }
        switch bytes[index] {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"): try object { scanner, _ throws(GiveUp) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): _ = try array { scanner throws(GiveUp) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): guard literal("true") else { throw GiveUp() }
        case UInt8(ascii: "f"): guard literal("false") else { throw GiveUp() }
        case UInt8(ascii: "n"): guard literal("null") else { throw GiveUp() }
        default: try skipNumber()
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func skipNumber() throws(GiveUp) {
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            if digits() > 0 { throw GiveUp() }  // a leading zero
        } else if digits() == 0 {
            throw GiveUp()
        }
        if take(UInt8(ascii: ".")), digits() == 0 { throw GiveUp() }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard digits() > 0 else { throw GiveUp() }
        }
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    // MARK: Bytes

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws(GiveUp) {
        guard take(byte) else { throw GiveUp() }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { expected in bytes[index..<(index + count)].elementsEqual(expected) }
        if matches { index += count }
        return matches
    }
}
