import Foundation
import Yams

/// One thing wrong with a config, at the path of the offending key (`sources.grafana.auth[0].secrets[1]`).
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Everything wrong with a config file, one issue a line.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        issues.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}

/// A source as the service uses it: secrets read, verifiers built.
public struct Source: Sendable {
    public var name: String
    public var verifiers: [any WebhookVerifier]
    public var maxBodySize: Int
    /// Authenticated webhooks per second and the burst allowed, when limited.
    public var rateLimit: (perSecond: Double, burst: Int)?
    /// Set when the source's webhooks must carry a verified client certificate.
    public var clientCertificate: ClientCertificatePolicy?
    /// What this source's notifications are deduplicated against: its own name, or the `dedup_group` it
    /// shares with other sources.
    public var dedupScope: String

    public init(
        name: String, verifiers: [any WebhookVerifier], maxBodySize: Int, rateLimit: (perSecond: Double, burst: Int)? = nil,
        clientCertificate: ClientCertificatePolicy? = nil, dedupGroup: String? = nil
    ) {
        self.name = name
        self.dedupScope = dedupGroup.map { "group:" + $0 } ?? "source:" + name
        self.verifiers = verifiers
        self.maxBodySize = maxBodySize
        self.rateLimit = rateLimit
        self.clientCertificate = clientCertificate
    }
}

/// A receiver as the service uses it: its sinks, each with the address its jobs carry, and its retry policy.
public struct Receiver: Sendable {
    public var name: String
    public var sinks: [ReceiverSink]
    public var retry: RetryPolicy
}

public struct ReceiverSink: Sendable {
    public enum Kind: Sendable {
        /// Appends to the JSON Lines file at this path.
        case file(path: String)
        /// POSTs Alertmanager's JSON.
        case webhook(WebhookSink.Settings)
        /// Posts a Block Kit message to a Slack incoming webhook.
        case slack(SlackSink.Settings)
        /// Sends a MIME message over SMTP.
        case email(EmailSink.Settings)
    }

    public var address: SinkAddress
    public var sendResolved: Bool
    public var kind: Kind
    public var limits: SinkLimits
}

public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// `host:port`, `[::1]:port`, or `:port` for every interface.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The checked, resolved configuration the service runs on.
public struct ResolvedConfiguration: Sendable {
    public var file: String
    public var listenAddress: ListenAddress
    /// The second listener for `/metrics` and health, when configured.
    public var metricsListenAddress: ListenAddress?
    /// HTTPS on the main listener, when `server.tls` is set.
    public var listenerTLS: ListenerTLSFiles?
    public var dataDirectory: URL
    public var sources: [String: Source]
    public var receivers: [String: Receiver]
    public var routing: RoutingTree
    public var adminToken: Secret?
    /// The built-in templates and the config's template files.
    public var templates: TemplateLibrary
    public var configuration: Configuration
}

public enum ConfigLoader {
    /// Whether every secret must be readable (to run) or may be missing (to inspect routes and templates
    /// offline, where a missing one stands in as a placeholder that is never sent anywhere).
    public enum Secrets: Sendable {
        case required, optional
    }

    /// Reads, checks and resolves a config file. Relative paths in it are relative to its directory.
    public static func load(
        file: String, environment: [String: String] = ProcessInfo.processInfo.environment, secrets: Secrets = .required
    ) throws(ConfigError) -> ResolvedConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot read it (permissions, or not UTF-8 text)" : "no such file"
            throw ConfigError(file: file, issues: [ConfigIssue(path: "(file)", message: reason)])
        }
        if FilePermissions.isWorldWritable(file) {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "(file)", message: FilePermissions.worldWritableMessage)])
        }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        return try parse(yaml: text, file: file, baseDirectory: base, environment: environment, secrets: secrets)
    }

    public static func parse(
        yaml: String, file: String = "<config>", baseDirectory: URL, environment: [String: String], secrets: Secrets = .required
    ) throws(ConfigError) -> ResolvedConfiguration {
        guard yaml.contains(where: { !$0.isWhitespace }) else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "(file)", message: "the config is empty")])
        }
        let configuration: Configuration
        do {
            configuration = try YAMLDecoder().decode(Configuration.self, from: yaml)
        } catch {
            throw ConfigError(file: file, issues: [issue(for: error)])
        }
        var resolver = Resolver(baseDirectory: baseDirectory, environment: environment, secretsRequired: secrets == .required)
        let resolved = resolver.resolve(configuration, file: file)
        guard let resolved, resolver.issues.isEmpty else { throw ConfigError(file: file, issues: resolver.issues) }
        return resolved
    }

    static func resolve(path: String, against base: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path).standardizedFileURL
    }

    private static func issue(for error: any Error) -> ConfigIssue {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return ConfigIssue(path: CodingPath.render(context.codingPath + [key]), message: "required key is missing")
        case DecodingError.typeMismatch(let type, let context):
            return ConfigIssue(path: CodingPath.render(context.codingPath), message: "expected \(CodingPath.describe(type))")
        case DecodingError.valueNotFound(let type, let context) where context.codingPath.isEmpty:
            return ConfigIssue(path: "(file)", message: "the config is empty; expected a mapping of \(String(describing: type))")
        case DecodingError.valueNotFound(let type, let context):
            return ConfigIssue(path: CodingPath.render(context.codingPath), message: "expected \(CodingPath.describe(type)), got nothing")
        case DecodingError.dataCorrupted(let context):
            if let yamlError = context.underlyingError as? YamlError { return issue(for: yamlError) }
            return ConfigIssue(path: CodingPath.render(context.codingPath), message: context.debugDescription)
        case let error as YamlError:
            return ConfigIssue(path: "(yaml)", message: "\(error)".replacingOccurrences(of: "\n", with: " "))
        default:
            return ConfigIssue(path: "(file)", message: "\(error)")
        }
    }
}

/// Checks what decoding cannot (names that refer to each other, secrets that must be readable) and collects
/// every problem rather than stopping at the first.
private struct Resolver {
    let baseDirectory: URL
    let environment: [String: String]
    let secretsRequired: Bool
    var issues: [ConfigIssue] = []
    var templates = TemplateLibrary.defaults

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

    mutating func resolve(_ config: Configuration, file: String) -> ResolvedConfiguration? {
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

        var receivers: [String: Receiver] = [:]
        for (index, receiver) in config.receivers.enumerated() {
            let path = "receivers[\(index)]"
            if receiver.name.isEmpty { report("\(path).name", "must not be empty") }
            if receivers[receiver.name] != nil { report("\(path).name", "duplicate receiver name \"\(receiver.name)\"") }
            var sinks: [ReceiverSink] = []
            /// Each entry of one `*_configs` list, resolved by `make` (nil when it reported a problem).
            func add<Config>(_ configs: [Config], _ list: String, _ make: (Config, String) -> (ReceiverSink.Kind, Bool, SinkLimits)?) {
                for (index, config) in configs.enumerated() {
                    let key = "\(list)[\(index)]"
                    if let (kind, sendResolved, limits) = make(config, "\(path).\(key)") {
                        sinks.append(ReceiverSink(address: SinkAddress(receiver: receiver.name, sink: key), sendResolved: sendResolved, kind: kind, limits: limits))
                    }
                }
            }
            add(receiver.fileConfigs, "file_configs") { sink, at in
                if sink.path.isEmpty {
                    report("\(at).path", "must not be empty")
                    return nil
                }
                return (.file(path: ConfigLoader.resolve(path: sink.path, against: dataDirectory).path), sink.sendResolved, SinkLimits(concurrency: 32))
            }
            add(receiver.webhookConfigs, "webhook_configs") { webhook, at in
                resolve(webhook: webhook, at: at).map {
                    (.webhook($0), webhook.sendResolved, SinkLimits(concurrency: webhook.maxConcurrency, ratePerSecond: webhook.rateLimit > 0 ? webhook.rateLimit : nil))
                }
            }
            add(receiver.slackConfigs, "slack_configs") { slack, at in
                resolve(slack: slack, at: at).map {
                    (.slack($0), slack.sendResolved, SinkLimits(concurrency: slack.maxConcurrency, ratePerSecond: slack.rateLimit > 0 ? slack.rateLimit : nil))
                }
            }
            add(receiver.emailConfigs, "email_configs") { email, at in
                resolve(email: email, at: at).map { (.email($0), email.sendResolved, SinkLimits(concurrency: email.maxConcurrency)) }
            }
            let retry = receiver.retry.map { config.retry.overridden(by: $0) } ?? config.retry
            receivers[receiver.name] = Receiver(name: receiver.name, sinks: sinks, retry: retry.policy)
        }
        let intervals = resolve(timeIntervals: config.timeIntervals)
        let root = resolve(route: config.route, path: "route", inherited: nil, receivers: receivers, intervals: intervals)

        let adminToken = config.admin.token.flatMap { secret($0, at: "admin.token") }
        guard let listen, let root else { return nil }
        return ResolvedConfiguration(
            file: file, listenAddress: listen, metricsListenAddress: metricsListen, listenerTLS: listenerTLS, dataDirectory: dataDirectory, sources: sources, receivers: receivers,
            routing: RoutingTree(root: root, timeIntervals: intervals), adminToken: adminToken, templates: templates,
            configuration: config
        )
    }

    /// One node of the routing tree and its children, checked: receivers that exist, matchers that parse,
    /// time intervals that are defined. The root takes no matchers and must name a receiver.
    private mutating func resolve(
        route config: RouteConfig, path: String, inherited: String?, receivers: [String: Receiver], intervals: [String: [RecurringInterval]]
    ) -> Route? {
        let isRoot = inherited == nil
        var matchers: [Matcher] = []
        if isRoot, !(config.matchers.isEmpty && config.match.isEmpty && config.matchRE.isEmpty) {
            report(path, "the root route matches every alert: it takes no matchers (put them on a child in routes)")
        }
        if isRoot, config.continue { report("\(path).continue", "the root route has no siblings to continue to") }
        for (index, text) in config.matchers.enumerated() {
            do {
                matchers += try Matcher.parse(text)
            } catch {
                report("\(path).matchers[\(index)]", error.description)
            }
        }
        for (name, value) in config.match.sorted(by: { $0.key < $1.key }) {
            do { matchers.append(try Matcher(name: name, op: .equal, value: value)) } catch { report("\(path).match.\(name)", error.description) }
        }
        for (name, value) in config.matchRE.sorted(by: { $0.key < $1.key }) {
            do {
                matchers.append(try Matcher(name: name, op: .matchesRegex, value: value))
            } catch {
                report("\(path).match_re.\(name)", error.description)
            }
        }
        for (key, names) in [("active_time_intervals", config.activeTimeIntervals), ("mute_time_intervals", config.muteTimeIntervals)] {
            for (index, name) in names.enumerated() where intervals[name] == nil {
                report("\(path).\(key)[\(index)]", "unknown time interval \"\(name)\"\(Self.known(intervals.keys, what: "time intervals"))")
            }
        }
        var receiver = config.receiver ?? inherited
        if let name = config.receiver, receivers[name] == nil {
            report("\(path).receiver", "unknown receiver \"\(name)\"\(Self.known(receivers.keys))")
        } else if receiver == nil {
            report("\(path).receiver", "the root route needs a receiver: it handles every alert no child route takes")
            receiver = ""
        }
        let children = config.routes.enumerated().compactMap { index, child in
            resolve(route: child, path: "\(path).routes[\(index)]", inherited: receiver, receivers: receivers, intervals: intervals)
        }
        return Route(
            path: path, receiver: receiver ?? "", matchers: matchers, continue: config.continue, routes: children,
            activeTimeIntervals: config.activeTimeIntervals, muteTimeIntervals: config.muteTimeIntervals
        )
    }

    private mutating func resolve(timeIntervals: [NamedTimeIntervalConfig]) -> [String: [RecurringInterval]] {
        var named: [String: [RecurringInterval]] = [:]
        for (index, entry) in timeIntervals.enumerated() {
            let path = "time_intervals[\(index)]"
            if entry.name.isEmpty { report("\(path).name", "must not be empty") }
            if named[entry.name] != nil { report("\(path).name", "duplicate time interval name \"\(entry.name)\"") }
            var intervals: [RecurringInterval] = []
            for (specIndex, spec) in entry.timeIntervals.enumerated() {
                do {
                    intervals.append(
                        try RecurringInterval(
                            times: spec.times, weekdays: spec.weekdays, daysOfMonth: spec.daysOfMonth, months: spec.months,
                            years: spec.years, location: spec.location
                        )
                    )
                } catch {
                    report("\(path).time_intervals[\(specIndex)].\(error.key)", error.message)
                }
            }
            named[entry.name] = intervals
        }
        return named
    }

    private static func known(_ names: some Collection<String>, what: String = "receivers") -> String {
        names.isEmpty ? " (no \(what) are defined)" : " (defined: \(names.sorted().joined(separator: ", ")))"
    }

    private mutating func resolve(source: SourceConfig, name: String, defaultBodySize: Int) -> Source? {
        let path = "sources.\(name)"
        if name.isEmpty || !name.unicodeScalars.allSatisfy(Self.nameCharacters.contains) {
            report(path, "a source name may hold only letters, digits, '.', '_' and '-' (it is part of the URL /webhook/{source})")
        }
        if source.auth.isEmpty {
            report("\(path).auth", "at least one scheme is required; write `- type: none` to accept unauthenticated webhooks")
        }
        let maxBodySize = source.maxBodySize?.bytes ?? defaultBodySize
        if maxBodySize <= 0 { report("\(path).max_body_size", "must be more than 0") }
        let verifiers = source.auth.enumerated().compactMap { index, auth in
            verifier(for: auth, at: "\(path).auth[\(index)]")
        }
        let rateLimit = source.rateLimit > 0 ? (source.rateLimit, source.rateBurst ?? max(10, Int((source.rateLimit * 2).rounded(.up)))) : nil
        let clientCertificate = source.clientCertificate.map { ClientCertificatePolicy(commonNames: Set($0.commonNames)) }
        return Source(
            name: name, verifiers: verifiers, maxBodySize: maxBodySize, rateLimit: rateLimit, clientCertificate: clientCertificate,
            dedupGroup: source.dedupGroup
        )
    }

    /// `server.tls`: each file there, readable, and not writable by every user (a replaced key or client CA
    /// would let anyone impersonate the relay or a sender). Their contents are checked by the service.
    private mutating func resolve(tls: ListenerTLSConfig) -> ListenerTLSFiles {
        func file(_ path: String, key: String) -> String {
            let resolved = ConfigLoader.resolve(path: path, against: baseDirectory).path
            if !FileManager.default.isReadableFile(atPath: resolved) {
                report("server.tls.\(key)", FileManager.default.fileExists(atPath: resolved) ? "cannot read \(resolved)" : "no such file: \(resolved)")
            } else if FilePermissions.isWorldWritable(resolved) {
                report("server.tls.\(key)", "\(resolved) is \(FilePermissions.worldWritableMessage)")
            }
            return resolved
        }
        return ListenerTLSFiles(
            certificateChain: file(tls.certFile, key: "cert_file"), privateKey: file(tls.keyFile, key: "key_file"),
            clientCA: tls.clientCAFile.map { file($0, key: "client_ca_file") }
        )
    }

    private static let nameCharacters = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        .union(CharacterSet(charactersIn: "._-"))

    private mutating func verifier(for auth: AuthConfig, at path: String) -> (any WebhookVerifier)? {
        switch auth {
        case .grafana(let refs, let header, let timestampHeader, let tolerance):
            checkHeader(header, at: "\(path).header")
            if let timestampHeader { checkHeader(timestampHeader, at: "\(path).timestamp_header") }
            checkTolerance(tolerance, at: "\(path).tolerance")
            let secrets = secrets(refs, at: "\(path).secrets")
            return GrafanaSignature(secrets: secrets, header: header, timestampHeader: timestampHeader, tolerance: tolerance.duration)
        case .standardWebhooks(let refs, let tolerance):
            checkTolerance(tolerance, at: "\(path).tolerance")
            var secrets: [Secret] = []
            for (index, ref) in refs.enumerated() {
                let key = "\(path).secrets[\(index)]"
                if let raw = secret(ref, at: key), let decoded = standardWebhooksSecret(raw, at: key) {
                    secrets.append(decoded)
                }
            }
            return StandardWebhooks(secrets: secrets, tolerance: tolerance.duration)
        case .hex(let refs, let header):
            checkHeader(header, at: "\(path).header")
            return HexSignature(secrets: secrets(refs, at: "\(path).secrets"), header: header)
        case .bearer(let refs):
            return BearerToken(tokens: secrets(refs, at: "\(path).credentials"))
        case .basic(let users):
            if users.isEmpty { report("\(path).users", "at least one user is required") }
            let resolved = users.enumerated().compactMap { index, user -> BasicAuth.User? in
                if user.username.isEmpty || user.username.contains(":") {
                    report("\(path).users[\(index)].username", "must be non-empty and hold no ':'")
                }
                return secret(user.password, at: "\(path).users[\(index)].password").map {
                    BasicAuth.User(username: user.username, password: $0)
                }
            }
            return BasicAuth(users: resolved)
        case .none:
            return NoAuthentication()
        }
    }

    /// A sink's URL from the config or its file, checked to be http(s). The URL may hold a token (Slack's
    /// do): errors name the key, never the value.
    private mutating func url(_ ref: SecretRef, at path: String, fileKey: String) -> String? {
        let keyPath: String
        if case .file = ref { keyPath = "\(path).\(fileKey)" } else { keyPath = "\(path).\(fileKey.replacingOccurrences(of: "_file", with: ""))" }
        guard let url = secret(ref, at: keyPath).map({ String(decoding: $0.bytes, as: UTF8.self) }) else { return nil }
        if url == Self.unresolved { return "https://unresolved.invalid/" }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else {
            report(keyPath, "not a valid http:// or https:// URL")
            return nil
        }
        return url
    }

    /// A `tls_config`: its CA file resolved against the config's directory and checked to be readable.
    private mutating func tlsOptions(caFile: String?, insecureSkipVerify: Bool, at path: String) -> TLSOptions {
        var tls = TLSOptions(insecureSkipVerify: insecureSkipVerify)
        if let caFile {
            let resolved = ConfigLoader.resolve(path: caFile, against: baseDirectory).path
            if !FileManager.default.isReadableFile(atPath: resolved) { report("\(path).ca_file", "cannot read \(resolved)") }
            tls.caFile = resolved
        }
        return tls
    }

    private mutating func resolve(email: EmailConfig, at path: String) -> EmailSink.Settings? {
        guard let host = ListenAddress(parsing: email.smarthost), host.port > 0 else {
            report("\(path).smarthost", "expected host:port, e.g. smtp.example.org:587")
            return nil
        }
        let password = email.authPassword.flatMap { secret($0, at: "\(path).auth_password") }
        let tls = tlsOptions(caFile: email.tls.caFile, insecureSkipVerify: email.tls.insecureSkipVerify, at: "\(path).tls_config")
        // Port 465 speaks TLS from the first byte; every other port starts plain and upgrades with STARTTLS.
        let scheme = host.port == 465 ? "smtps" : "smtp"
        let message: EmailMessage
        do {
            message = try EmailMessage(from: email.from, to: email.to, headers: email.headers, text: email.text, html: email.html, library: templates)
        } catch {
            report(error, at: path)
            return nil
        }
        return EmailSink.Settings(
            message: message,
            server: "\(scheme)://\(host)", hello: email.hello, username: email.authUsername, password: password,
            requireTLS: email.requireTLS, tls: tls, timeout: email.timeout.duration
        )
    }

    private mutating func resolve(slack: SlackConfig, at path: String) -> SlackSink.Settings? {
        guard let url = url(slack.apiURL, at: path, fileKey: "api_url_file") else { return nil }
        let options: SlackMessage.Options
        do {
            options = try SlackMessage.Options(
                channel: slack.channel, username: slack.username, iconEmoji: slack.iconEmoji, iconURL: slack.iconURL,
                title: slack.title, text: slack.text, alertText: slack.alertText, color: slack.color, library: templates
            )
        } catch {
            report(error, at: path)
            return nil
        }
        return SlackSink.Settings(url: url, options: options, timeout: slack.timeout.duration)
    }

    private mutating func resolve(webhook: WebhookConfig, at path: String) -> WebhookSink.Settings? {
        guard let url = url(webhook.url, at: path, fileKey: "url_file") else { return nil }
        var headers: [(name: String, value: String)] = []
        let http = webhook.httpConfig
        if let (type, credentials) = http.authorization,
            let token = secret(credentials, at: "\(path).http_config.authorization.credentials")
        {
            headers.append(("Authorization", "\(type) \(String(decoding: token.bytes, as: UTF8.self))"))
        }
        if let basic = http.basicAuth, let password = secret(basic.password, at: "\(path).http_config.basic_auth.password") {
            let pair = Data((basic.username + ":").utf8 + password.bytes).base64EncodedString()
            headers.append(("Authorization", "Basic \(pair)"))
        }
        let tls = tlsOptions(caFile: http.tls.caFile, insecureSkipVerify: http.tls.insecureSkipVerify, at: "\(path).http_config.tls_config")
        var signer: OutboundSigner?
        if let signing = webhook.signing, let secret = secret(signing.secret, at: "\(path).signing.secret") {
            switch signing.type {
            case "standard-webhooks":
                signer = standardWebhooksSecret(secret, at: "\(path).signing.secret").map(OutboundSigner.standardWebhooks)
            case "grafana":
                signer = .grafana(secret, header: signing.header ?? GrafanaSignature.defaultHeader, timestampHeader: signing.timestampHeader)
            default:
                signer = .hex(secret, header: signing.header ?? HexSignature.defaultHeader)
            }
        }
        var body: MessageTemplate?
        if let source = webhook.body {
            let json = webhook.contentType.lowercased().contains("json")
            do {
                body = try templates.template(source, format: json ? .json : .text, key: "body")
                if json, let body, let problem = Self.invalidJSON(body) { report("\(path).body", problem) }
            } catch {
                report(error, at: path)
            }
        }
        return WebhookSink.Settings(
            url: url, maxAlerts: webhook.maxAlerts, timeout: webhook.timeout.duration, headers: headers,
            followRedirects: http.followRedirects, tls: tls, signer: signer, body: body, contentType: webhook.contentType
        )
    }

    /// The `templates` files, each glob expanded in order, in a library with the defaults.
    private mutating func loadTemplates(_ patterns: [String]) {
        var files: [String] = []
        for (index, pattern) in patterns.enumerated() {
            let absolute = ConfigLoader.resolve(path: pattern, against: baseDirectory).path
            let matches = Glob.expand(absolute)
            if matches.isEmpty, !pattern.contains(where: { "*?[".contains($0) }) {
                report("templates[\(index)]", "no such file: \(absolute)")
            }
            files += matches
        }
        var errors: [TemplateError] = []
        templates = TemplateLibrary(files: files, errors: &errors)
        for error in errors { report("templates", error.message) }
    }

    private mutating func report(_ error: TemplateError, at path: String) {
        report(error.key.map { "\(path).\($0)" } ?? path, "template: \(error.message)")
    }

    /// A JSON body template must give JSON for any alert: it is tried on one whose values hold every
    /// character that needs escaping, so a missing pair of quotes shows here and not at the receiver.
    private static func invalidJSON(_ template: MessageTemplate) -> String? {
        let hostile = "quote \" backslash \\ newline \n tab \t <b>&amp;</b> 🔥"
        let sample = Notification(
            status: .firing, receiver: "sample", groupKey: "{}:{alertname=\"Sample\"}", groupLabels: ["alertname": "Sample"],
            commonLabels: ["alertname": "Sample", "severity": "critical"], commonAnnotations: ["summary": hostile],
            externalURL: "http://alertmanager.example.org:9093",
            alerts: [
                Alert(
                    status: .firing, labels: ["alertname": "Sample", "severity": "critical", "instance": hostile],
                    annotations: ["summary": hostile, "description": hostile, "runbook_url": "https://runbooks.example.org/sample"],
                    startsAt: Timestamp(seconds: 1_700_000_000), generatorURL: "http://prometheus.example.org:9090/graph?g0.expr=up&g0.tab=1"
                ),
                Alert(status: .resolved, labels: ["alertname": "Sample", "severity": "critical"], startsAt: Timestamp(seconds: 1_700_000_000)),
            ]
        )
        let delivery = Delivery(
            jobID: 1, notificationID: "sample", source: "sample", acceptedAt: Date(), receiver: "sample", notification: sample, attempt: 1
        )
        let rendered = template.render(TemplateContext(delivery))
        do {
            _ = try JSONSerialization.jsonObject(with: Data(rendered.utf8), options: [.fragmentsAllowed])
            return nil
        } catch {
            return "template: does not render valid JSON for a sample alert; write values inside quotes, as "
                + "\"{{labels.instance}}\". It rendered: \(rendered.prefix(200))"
        }
    }

    private mutating func secrets(_ refs: [SecretRef], at path: String) -> [Secret] {
        refs.enumerated().compactMap { index, ref in secret(ref, at: "\(path)[\(index)]") }
    }

    private mutating func secret(_ ref: SecretRef, at path: String) -> Secret? {
        switch ref.resolve(baseDirectory: baseDirectory, environment: environment) {
        case .success(let text): return Secret(text)
        case .failure where !secretsRequired: return Secret(Self.unresolved)
        case .failure(let error):
            report(path, error.description)
            return nil
        }
    }

    /// A Standard Webhooks secret (base64, optionally `whsec_`), decoded; a placeholder stays one.
    private mutating func standardWebhooksSecret(_ secret: Secret, at path: String) -> Secret? {
        let text = String(decoding: secret.bytes, as: UTF8.self)
        if text == Self.unresolved { return secret }
        guard let decoded = StandardWebhooks.secret(fromEncoded: text) else {
            report(path, "not a Standard Webhooks secret: expected base64, optionally prefixed with whsec_")
            return nil
        }
        return decoded
    }

    private mutating func checkHeader(_ name: String, at path: String) {
        let valid = !name.isEmpty && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }
        if !valid { report(path, "invalid header name \"\(name)\"") }
    }

    private mutating func checkTolerance(_ tolerance: ConfigDuration, at path: String) {
        if tolerance.duration <= .zero { report(path, "must be more than 0") }
    }
}
