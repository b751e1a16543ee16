import Foundation

/// What a verifier sees of an incoming webhook: its headers and the exact bytes of its body.
public struct WebhookRequest: Sendable {
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The client certificate the TLS listener verified, if the connection has one.
    public var clientCertificate: VerifiedClientCertificate?

    public init(headers: [(name: String, value: String)], body: [UInt8], clientCertificate: VerifiedClientCertificate? = nil) {
        self.headers = headers
        self.body = body
        self.clientCertificate = clientCertificate
    }

    /// The first value of a header, matched without regard to case (header names are ASCII; this compares
    /// bytes, not through Foundation, which cost 5k instructions a comparison).
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEqual($0.name, name) }?.value
    }
}
