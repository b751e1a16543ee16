import Foundation

/// Checks what decoding cannot (names that refer to each other, secrets that must be readable) and collects
/// every problem rather than stopping at the first.
struct ConfigResolver {
    let baseDirectory: URL
    let environment: [String: String]
    let secretsRequired: Bool
    var issues: [ConfigIssue] = []
    var warnings: [ConfigIssue] = []
    var templates = TemplateLibrary.defaults
    /// Alertmanager's `global` defaults, for the receivers.
    var global = GlobalConfig()

    /// What a missing secret becomes when secrets are optional.
    static let unresolved = "alertrelay-unresolved-secret"

    init(baseDirectory: URL, environment: [String: String], secretsRequired: Bool = true) {
        self.baseDirectory = baseDirectory
        self.environment = environment
        self.secretsRequired = secretsRequired
    }

    mutating func report(_ path: String, _ message: String) {
        issues.append(ConfigIssue(path: path, message: message))
    }

    mutating func resolve(_ config: ConfigFile, file: String) -> RelayConfiguration? {
        global = config.global
        if config.hasInhibitRules {
            warnings.append(ConfigIssue(
                path: "inhibit_rules",
                message: "ignored: the sender (Alertmanager) applies inhibition before it sends; AlertRelay gets only what was not inhibited"
            ))
        }
        if let key = global.ignoredKeys.first {
            warnings.append(ConfigIssue(
                path: "global.\(key)",
                message: "\(global.ignoredKeys.joined(separator: ", ")) ignored: resolve_timeout is the sender's (alerts arrive resolved), the others belong to integrations AlertRelay does not have"
            ))
        }
        var metricsListen: ListenAddress?
        if let text = config.server.metricsListenAddress {
            metricsListen = ListenAddress(parsing: text)
            if metricsListen == nil { report("server.metrics_listen_address", "invalid address \"\(text)\": expected host:port, e.g. 127.0.0.1:9098") }
        }
        let listen = ListenAddress(parsing: config.server.listenAddress)
        if listen == nil {
            report("server.listen_address", "invalid address \"\(config.server.listenAddress)\": expected host:port, e.g. 127.0.0.1:9099")
        }
        if config.server.maxBodySize.bytes <= 0 { report("server.max_body_size", "must be more than 0") }
        var listenerTLS: ListenerTLSFiles?
        if let tls = config.server.tls { listenerTLS = resolve(tls: tls) }
        let dataDirectory = ConfigLoader.resolve(path: config.storage.path, against: baseDirectory)
        loadTemplates(config.templates)

        var sources: [String: Source] = [:]
        if config.sources.isEmpty { report("sources", "at least one source is required") }
        for (name, source) in config.sources.sorted(by: { $0.key < $1.key }) {
            if source.clientCertificate != nil, listenerTLS?.clientCA == nil {
                report("sources.\(name).client_certificate", "needs server.tls with a client_ca_file to verify client certificates against")
            }
            if let resolved = resolve(source: source, name: name, defaultBodySize: config.server.maxBodySize.bytes) {
                sources[name] = resolved
            }
        }

        let receivers = resolve(receivers: config.receivers, retry: config.retry, dataDirectory: dataDirectory)
        let store = resolve(storage: config.storage, receivers: config.receivers)
        let intervals = resolve(timeIntervals: config.timeIntervals)
        let root = resolve(route: config.route, path: "route", inherited: nil, receivers: receivers, intervals: intervals)

        let adminToken = config.admin.token.flatMap { secret($0, at: "admin.token") }
        guard let listen, let root else { return nil }
        return RelayConfiguration(
            file: file, listenAddress: listen, metricsListenAddress: metricsListen, listenerTLS: listenerTLS, dataDirectory: dataDirectory, store: store, sources: sources, receivers: receivers,
            routing: RoutingTree(root: root, timeIntervals: intervals), adminToken: adminToken, templates: templates,
            settings: config, warnings: warnings
        )
    }

    mutating func secrets(_ refs: [SecretRef], at path: String) -> [Secret] {
        refs.enumerated().compactMap { index, ref in secret(ref, at: "\(path)[\(index)]") }
    }

    mutating func secret(_ ref: SecretRef, at path: String) -> Secret? {
        switch ref.resolve(baseDirectory: baseDirectory, environment: environment) {
        case .success(let text): return Secret(text)
        case .failure where !secretsRequired: return Secret(Self.unresolved)
        case .failure(let error):
            report(path, error.description)
            return nil
        }
    }
}
