/// A client certificate the TLS listener verified against `server.tls.client_ca_file`, as ingest sees it.
public struct VerifiedClientCertificate: Sendable, Equatable {
    /// The subject's common names (usually one).
    public var commonNames: [String]

    public init(commonNames: [String]) {
        self.commonNames = commonNames
    }
}

/// Which verified client certificates a source accepts (`sources.NAME.client_certificate`). It is checked
/// before, and in addition to, the source's `auth`.
public struct ClientCertificatePolicy: Sendable, Equatable {
    /// Allowed subject common names; empty: any certificate the client CA signed.
    public var commonNames: Set<String>

    public init(commonNames: Set<String>) {
        self.commonNames = commonNames
    }

    /// Why `certificate` is not accepted, or `nil` when it is.
    public func refusal(of certificate: VerifiedClientCertificate?) -> String? {
        guard let certificate else { return "no verified client certificate (the source requires one)" }
        if commonNames.isEmpty || certificate.commonNames.contains(where: commonNames.contains) { return nil }
        let presented = certificate.commonNames.isEmpty ? "none" : certificate.commonNames.joined(separator: ", ")
        return "client certificate common name \(presented) is not among the allowed \(commonNames.sorted().joined(separator: ", "))"
    }
}
