import AlertRelay
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// Every connection to the main listener passes here first: the connection limit, then TLS when configured,
/// then Hummingbird's HTTP/1.1 channel.
struct ListenerChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let gate: ConnectionGate
    let tls: ListenerTLS?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard gate.admit(logger: logger) else {
            return channel.close().flatMapThrowing { throw ConnectionGate.Refused() }
        }
        channel.closeFuture.whenComplete { _ in gate.release(logger: logger) }
        if let tls {
            do {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ListenerChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

/// Counts the main listener's open connections and closes any beyond `server.max_connections` as soon as it
/// is accepted: a flood of idle or slow connections cannot take the file descriptors senders need. The limit
/// follows a reload.
public final class ConnectionGate: Sendable {
    struct Refused: Error {}

    private let open = Atomic<Int>(0)
    private let limit: Atomic<Int>
    /// Set from the first refusal until the count is under the limit again: one log line each way.
    private let saturated = Atomic<Bool>(false)
    let metrics: RelayMetrics

    init(limit: Int, metrics: RelayMetrics) {
        self.limit = Atomic(limit)
        self.metrics = metrics
        metrics.connections(open: 0)
    }

    func update(limit: Int) {
        self.limit.store(limit, ordering: .relaxed)
    }

    func admit(logger: Logger) -> Bool {
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        let limit = self.limit.load(ordering: .relaxed)
        guard count <= limit else {
            open.wrappingSubtract(1, ordering: .relaxed)
            metrics.connectionRefused()
            if !saturated.exchange(true, ordering: .relaxed) {
                logger.warning("Connection limit reached; closing new connections until some end", metadata: ["server.max_connections": "\(limit)"])
            }
            return false
        }
        metrics.connections(open: count)
        return true
    }

    func release(logger: Logger) {
        let count = open.wrappingSubtract(1, ordering: .relaxed).newValue
        metrics.connections(open: count)
        if count < limit.load(ordering: .relaxed), saturated.exchange(false, ordering: .relaxed) {
            logger.notice("Below the connection limit again; accepting connections", metadata: ["connections": "\(count)"])
        }
    }
}

/// The main listener's TLS context, built from `server.tls`'s files. ``reload(_:)`` builds a new one from the
/// files as they are now, so a renewed certificate (or client CA) is served to new connections without a
/// restart; connections already open keep the one they started with.
public final class ListenerTLS: Sendable {
    private let current: Mutex<NIOSSLContext>

    public init(_ files: ListenerTLSFiles) throws(ConfigError) {
        current = Mutex(try Self.context(files))
    }

    var context: NIOSSLContext { current.withLock { $0 } }

    public func reload(_ files: ListenerTLSFiles) throws(ConfigError) {
        let context = try Self.context(files)
        current.withLock { $0 = context }
    }

    /// Reads and checks the files: a bad PEM file, or a key that is not the certificate's, is a config error
    /// at the key that names the file.
    public static func context(_ files: ListenerTLSFiles) throws(ConfigError) -> NIOSSLContext {
        func load<T>(_ key: String, _ path: String, _ read: () throws -> T) throws(ConfigError) -> T {
            do {
                return try read()
            } catch {
                throw ConfigError(file: "server.tls", issues: [ConfigIssue(path: "server.tls.\(key)", message: "\(path): \(error)")])
            }
        }
        let chain = try load("cert_file", files.certificateChain) { try NIOSSLCertificate.fromPEMFile(files.certificateChain) }
        if chain.isEmpty {
            throw ConfigError(file: "server.tls", issues: [ConfigIssue(path: "server.tls.cert_file", message: "\(files.certificateChain) holds no PEM certificate")])
        }
        let key = try load("key_file", files.privateKey) { try NIOSSLPrivateKey(file: files.privateKey, format: .pem) }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let clientCA = files.clientCA {
            let roots = try load("client_ca_file", clientCA) { try NIOSSLCertificate.fromPEMFile(clientCA) }
            // A client that presents a certificate must present one the CA signed; one that presents none is
            // let through to sources that do not ask for one.
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(roots)
        }
        return try load("key_file", files.privateKey) { try NIOSSLContext(configuration: configuration) }
    }
}

/// A request context that can tell which client certificate the connection presented.
protocol ClientCertificateContext: RequestContext {
    func clientCertificate() async -> VerifiedClientCertificate?
}

/// The request context of AlertRelay's routes: Hummingbird's basic one, plus the connection, to read the
/// client certificate of a source that requires one.
public struct RelayRequestContext: ClientCertificateContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The certificate the client presented and the listener verified, if any.
    func clientCertificate() async -> VerifiedClientCertificate? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return VerifiedClientCertificate(commonNames: certificate.subjectName.filter { $0.type == .commonName }.map(\.value))
    }
}
