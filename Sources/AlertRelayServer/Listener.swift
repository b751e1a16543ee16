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
        let client = channel.remoteAddress?.ipAddress ?? ""
        guard gate.admit(client: client, logger: logger) else {
            return channel.close().flatMapThrowing { throw ConnectionGate.Refused() }
        }
        channel.closeFuture.whenComplete { _ in gate.release(client: client, logger: logger) }
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

/// Counts one listener's open connections, in all and per client address, and closes any beyond
/// `server.max_connections` or `server.max_connections_per_client` as soon as it is accepted: a flood of idle
/// or slow connections, from many clients or one, cannot take the file descriptors senders need. Each
/// listener has its own gate; the limits follow a reload.
public final class ConnectionGate: Sendable {
    struct Refused: Error {}

    private struct State {
        var open = 0
        var byClient: [String: Int] = [:]
        var limit: Int
        var perClient: Int
        /// Set from the first refusal until the count is under the limit again: one log line each way.
        var saturated = false
    }

    private let state: Mutex<State>
    /// `main` or `metrics`, for the metrics and the log.
    let listener: String
    let metrics: RelayMetrics

    init(limit: Int, perClient: Int, listener: String, metrics: RelayMetrics) {
        state = Mutex(State(limit: limit, perClient: perClient))
        self.listener = listener
        self.metrics = metrics
        metrics.connections(open: 0, listener: listener)
    }

    func update(limit: Int, perClient: Int) {
        state.withLock { state in
            state.limit = limit
            state.perClient = perClient
        }
    }

    private enum Admission {
        case admitted(open: Int)
        case refused(limit: String, logAt: Int?)
    }

    /// - Parameter client: the peer's IP address.
    func admit(client: String, logger: Logger) -> Bool {
        let admission = state.withLock { state -> Admission in
            if state.open >= state.limit {
                defer { state.saturated = true }
                return .refused(limit: "total", logAt: state.saturated ? nil : state.limit)
            }
            if state.byClient[client, default: 0] >= state.perClient { return .refused(limit: "per_client", logAt: nil) }
            state.open += 1
            state.byClient[client, default: 0] += 1
            return .admitted(open: state.open)
        }
        switch admission {
        case .admitted(let open):
            metrics.connections(open: open, listener: listener)
            return true
        case .refused(let limit, let logAt):
            metrics.connectionRefused(listener: listener, limit: limit)
            if let logAt {
                logger.warning(
                    "Connection limit reached; closing new connections until some end",
                    metadata: ["listener": "\(listener)", "server.max_connections": "\(logAt)"]
                )
            }
            return false
        }
    }

    func release(client: String, logger: Logger) {
        let (open, recovered) = state.withLock { state -> (Int, Bool) in
            state.open -= 1
            let left = state.byClient[client, default: 1] - 1
            state.byClient[client] = left > 0 ? left : nil
            let recovered = state.saturated && state.open < state.limit
            if recovered { state.saturated = false }
            return (state.open, recovered)
        }
        metrics.connections(open: open, listener: listener)
        if recovered {
            logger.notice("Below the connection limit again; accepting connections", metadata: ["listener": "\(listener)", "connections": "\(open)"])
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
