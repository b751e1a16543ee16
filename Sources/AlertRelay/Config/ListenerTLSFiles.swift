

/// `server.tls` with its paths resolved against the config's directory. The service reads the files (at start
/// and on every reload); the loader only checks they are there and safe.
public struct ListenerTLSFiles: Sendable, Equatable {
    public var certificateChain: String
    public var privateKey: String
    public var clientCA: String?

    public init(certificateChain: String, privateKey: String, clientCA: String?) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCA = clientCA
    }
}
