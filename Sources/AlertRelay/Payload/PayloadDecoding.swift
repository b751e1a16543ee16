import Foundation

extension AlertNotification {
    /// Decodes a webhook body exactly as received: through ``PayloadScanner`` when it can, else through
    /// JSONDecoder, whose every failure becomes a ``PayloadError`` that names the field at fault.
    public static func decode(json body: some Collection<UInt8>) throws(PayloadError) -> AlertNotification {
        guard String(validating: body, as: UTF8.self) != nil else {
            throw PayloadError(field: nil, reason: "body is not valid UTF-8")
        }
        if let notification = PayloadScanner.notification(Array(body)) { return notification }
        do {
            return try JSONDecoder().decode(AlertNotification.self, from: Data(body))
        } catch let error as DecodingError {
            throw PayloadError(error)
        } catch {
            throw PayloadError(field: nil, reason: "malformed JSON")
        }
    }
}

extension AlertNotification {
    /// For the fuzzer and the tests: whether ``PayloadScanner`` either gives up on `body` or reads exactly what
    /// JSONDecoder reads from it.
    @_spi(Testing) public static func scannerAgreesWithJSONDecoder(_ body: [UInt8]) -> Bool {
        guard String(validating: body, as: UTF8.self) != nil, let scanned = PayloadScanner.notification(body) else { return true }
        return (try? JSONDecoder().decode(AlertNotification.self, from: Data(body))) == scanned
    }
}
extension AlertNotification {
    /// A payload the queue stored (a sender's body, or AlertRelay's own encoding of a share of it), read back
    /// for delivery: through the scanner when it can, else JSONDecoder.
    public static func decodeStored(_ bytes: [UInt8]) throws -> AlertNotification {
        if String(validating: bytes, as: UTF8.self) != nil, let notification = PayloadScanner.notification(bytes) { return notification }
        return try JSONDecoder().decode(AlertNotification.self, from: Data(bytes))
    }
}
