import Foundation

/// The config file as written: Alertmanager's vocabulary where the concepts are shared (`route`,
/// `receivers`, `send_resolved`, durations like `5m`), plus AlertRelay's own sections (`server`, `storage`,
/// `sources`, `dedup`, `retry`, `admin`). ``ConfigLoader`` checks it and resolves its secrets.
public struct Configuration: Sendable, Decodable {
    public var server: ServerConfig
    public var storage: StorageConfig
    public var sources: [String: SourceConfig]
    public var route: RouteConfig
    public var receivers: [ReceiverConfig]
    public var dedup: DedupConfig
    public var retry: RetryConfig
    public var admin: AdminConfig
    /// Template files (globs allowed), relative to the config file, as Alertmanager's `templates`.
    public var templates: [String]
    /// Named periods for routes' `active_time_intervals` and `mute_time_intervals`; Alertmanager's older
    /// top-level `mute_time_intervals` is read into the same list.
    public var timeIntervals: [NamedTimeIntervalConfig]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case server, storage, sources, route, receivers, dedup, retry, admin, templates
        case timeIntervals = "time_intervals", muteTimeIntervals = "mute_time_intervals"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        server = try c.decode(.server, default: ServerConfig())
        storage = try c.decode(.storage, default: StorageConfig())
        sources = try c.decode([String: SourceConfig].self, forKey: .sources)
        route = try c.decode(RouteConfig.self, forKey: .route)
        receivers = try c.decode([ReceiverConfig].self, forKey: .receivers)
        dedup = try c.decode(.dedup, default: DedupConfig())
        retry = try c.decode(.retry, default: RetryConfig())
        admin = try c.decode(.admin, default: AdminConfig())
        templates = try c.decode(.templates, default: [])
        timeIntervals = try c.decode(.timeIntervals, default: []) + c.decode(.muteTimeIntervals, default: [])
    }
}

public struct ServerConfig: Sendable, Decodable {
    /// `host:port`; `:port` listens on every interface.
    public var listenAddress = "127.0.0.1:9099"
    /// Largest webhook body accepted, enforced while the body is read.
    public var maxBodySize = ByteSize(bytes: 1 << 20)
    /// A request must arrive whole (headers and body) within this time of the connection opening or of the
    /// previous answer; a client that trickles bytes (slowloris) is cut off.
    public var readTimeout = ConfigDuration(.seconds(30))
    /// An idle keep-alive connection is closed after this long.
    public var idleTimeout = ConfigDuration(.seconds(60))
    /// When set, `/metrics`, `/-/healthy` and `/-/ready` are (also) served on this second address, and
    /// `/metrics` no longer on the main one: scrapes stay on a private network while senders reach the main one.
    public var metricsListenAddress: String?
    /// Connections open at once on the main listener; one more is closed as soon as it is accepted, so a
    /// flood of idle or slow connections cannot use up the file descriptors senders need.
    public var maxConnections = 512
    /// Connections open at once from one client address, on each listener; by default a quarter of
    /// `max_connections`, so one client cannot hold them all. Behind a proxy every sender shares its address:
    /// raise it (up to `max_connections`) there.
    public var maxConnectionsPerClient: Int?
    /// On SIGTERM, how long deliveries in flight may take to finish; past it they are cut off and stay
    /// queued. The process is gone within this plus a few seconds: keep it 10 s below the platform's grace
    /// (systemd's `TimeoutStopSec`, Kubernetes' `terminationGracePeriodSeconds`, both 30 s by default).
    public var shutdownTimeout = ConfigDuration(.seconds(15))
    /// HTTPS on the main listener; its files are read again on every reload (certificate rotation).
    public var tls: ListenerTLSConfig?

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listenAddress = "listen_address", maxBodySize = "max_body_size", readTimeout = "read_timeout", idleTimeout = "idle_timeout"
        case metricsListenAddress = "metrics_listen_address", maxConnections = "max_connections", tls
        case maxConnectionsPerClient = "max_connections_per_client", shutdownTimeout = "shutdown_timeout"
    }

    /// `max_connections_per_client` as set, or its default.
    public var connectionsPerClient: Int { maxConnectionsPerClient ?? max(1, maxConnections / 4) }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listenAddress = try c.decode(.listenAddress, default: listenAddress)
        maxBodySize = try c.decode(.maxBodySize, default: maxBodySize)
        readTimeout = try c.decode(.readTimeout, default: readTimeout)
        idleTimeout = try c.decode(.idleTimeout, default: idleTimeout)
        metricsListenAddress = try c.decodeIfPresent(String.self, forKey: .metricsListenAddress)
        maxConnections = try c.decode(.maxConnections, default: maxConnections)
        tls = try c.decodeIfPresent(ListenerTLSConfig.self, forKey: .tls)
        maxConnectionsPerClient = try c.decodeIfPresent(Int.self, forKey: .maxConnectionsPerClient)
        shutdownTimeout = try c.decode(.shutdownTimeout, default: shutdownTimeout)
        guard maxConnections > 0 else { throw c.invalid(.maxConnections, "must be at least 1") }
        if let perClient = maxConnectionsPerClient, !(1...maxConnections).contains(perClient) {
            throw c.invalid(.maxConnectionsPerClient, "must be from 1 to max_connections (\(maxConnections))")
        }
        guard shutdownTimeout.duration > .zero, shutdownTimeout.duration <= .seconds(600) else {
            throw c.invalid(.shutdownTimeout, "must be more than 0 and at most 10m")
        }
        guard readTimeout.duration > .zero else { throw c.invalid(.readTimeout, "must be more than 0") }
        guard idleTimeout.duration > .zero else { throw c.invalid(.idleTimeout, "must be more than 0") }
    }
}

/// `server.tls`: the listener's certificate chain and key (PEM), and optionally the CA that client
/// certificates are verified against (for sources with `client_certificate`).
public struct ListenerTLSConfig: Sendable, Decodable, Equatable {
    public var certFile: String
    public var keyFile: String
    public var clientCAFile: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case certFile = "cert_file", keyFile = "key_file", clientCAFile = "client_ca_file"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        certFile = try c.decode(String.self, forKey: .certFile)
        keyFile = try c.decode(String.self, forKey: .keyFile)
        clientCAFile = try c.decodeIfPresent(String.self, forKey: .clientCAFile)
    }
}

public struct StorageConfig: Sendable, Decodable {
    /// The data directory, relative to the config file's directory unless absolute.
    public var path = "data"
    /// How long delivered jobs (and their attempts) are kept before pruning; dead letters stay until replayed
    /// or dropped.
    public var deliveredRetention = ConfigDuration(.seconds(7 * 86_400))

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, deliveredRetention = "delivered_retention"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(.path, default: path)
        deliveredRetention = try c.decode(.deliveredRetention, default: deliveredRetention)
    }
}

/// One sender: its authentication schemes (one must pass) and limits.
public struct SourceConfig: Sendable, Decodable {
    public var auth: [AuthConfig]
    public var maxBodySize: ByteSize?
    /// Authenticated webhooks per second this source may send (0 or absent: no limit), with bursts of
    /// `rate_burst` (default: twice the rate, at least 10); over it, 429 with `Retry-After`.
    public var rateLimit: Double
    public var rateBurst: Int?
    /// Webhooks of this source must come over TLS with a client certificate that `server.tls.client_ca_file`
    /// verifies, in addition to passing `auth`.
    public var clientCertificate: ClientCertificateConfig?
    /// Sources that name the same group share one dedup log (an HA pair posting to two sources); by default
    /// each source dedups only against itself, so no sender can suppress what another sends.
    public var dedupGroup: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case auth, maxBodySize = "max_body_size", rateLimit = "rate_limit", rateBurst = "rate_burst", clientCertificate = "client_certificate"
        case dedupGroup = "dedup_group"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        auth = try c.decode([AuthConfig].self, forKey: .auth)
        maxBodySize = try c.decodeIfPresent(ByteSize.self, forKey: .maxBodySize)
        rateLimit = try c.decode(.rateLimit, default: 0)
        rateBurst = try c.decodeIfPresent(Int.self, forKey: .rateBurst)
        clientCertificate = try c.decodeIfPresent(ClientCertificateConfig.self, forKey: .clientCertificate)
        dedupGroup = try c.decodeIfPresent(String.self, forKey: .dedupGroup)
        if let dedupGroup, dedupGroup.isEmpty { throw c.invalid(.dedupGroup, "must not be empty") }
        guard rateLimit >= 0, rateLimit <= 1_000_000 else { throw c.invalid(.rateLimit, "must be between 0 (no limit) and 1000000 per second") }
        if let rateBurst, rateBurst < 1 { throw c.invalid(.rateBurst, "must be at least 1") }
        if rateBurst != nil, rateLimit == 0 { throw c.invalid(.rateBurst, "only applies with a rate_limit") }
    }
}

/// `sources.NAME.client_certificate`: which verified client certificates a source accepts.
public struct ClientCertificateConfig: Sendable, Decodable {
    /// The subject common names allowed; empty: any certificate the client CA signed.
    public var commonNames: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case commonNames = "common_names" }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        commonNames = try c.decode(.commonNames, default: [])
        if commonNames.contains(where: \.isEmpty) { throw c.invalid(.commonNames, "must not hold an empty name") }
    }
}

/// One authentication scheme. Which keys are allowed depends on `type`.
public enum AuthConfig: Sendable, Decodable {
    case grafana(secrets: [SecretRef], header: String, timestampHeader: String?, tolerance: ConfigDuration)
    case standardWebhooks(secrets: [SecretRef], tolerance: ConfigDuration)
    case hex(secrets: [SecretRef], header: String)
    case bearer(credentials: [SecretRef])
    case basic(users: [BasicUserConfig])
    case none

    public static let types = ["grafana", "standard-webhooks", "hex", "bearer", "basic", "none"]
    static let defaultTolerance = ConfigDuration(.seconds(300))

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, secrets, secretsFile = "secrets_file", header, timestampHeader = "timestamp_header", tolerance
        case credentials, credentialsFile = "credentials_file", users
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        func allow(_ keys: CodingKeys...) throws {
            try decoder.rejectUnknownKeys(allowed: Set((keys + [.type]).map(\.stringValue)))
        }
        switch type {
        case "grafana":
            try allow(.secrets, .secretsFile, .header, .timestampHeader, .tolerance)
            self = .grafana(
                secrets: try Self.secrets(c, .secrets, .secretsFile),
                header: try c.decode(.header, default: GrafanaSignature.defaultHeader),
                timestampHeader: try c.decodeIfPresent(String.self, forKey: .timestampHeader),
                tolerance: try c.decode(.tolerance, default: Self.defaultTolerance)
            )
        case "standard-webhooks":
            try allow(.secrets, .secretsFile, .tolerance)
            self = .standardWebhooks(
                secrets: try Self.secrets(c, .secrets, .secretsFile),
                tolerance: try c.decode(.tolerance, default: Self.defaultTolerance)
            )
        case "hex":
            try allow(.secrets, .secretsFile, .header)
            self = .hex(
                secrets: try Self.secrets(c, .secrets, .secretsFile),
                header: try c.decode(.header, default: HexSignature.defaultHeader)
            )
        case "bearer":
            try allow(.credentials, .credentialsFile)
            self = .bearer(credentials: try Self.secrets(c, .credentials, .credentialsFile))
        case "basic":
            try allow(.users)
            self = .basic(users: try c.decode([BasicUserConfig].self, forKey: .users))
        case "none":
            try allow()
            self = .none
        default:
            throw c.invalid(.type, "unknown authentication type \"\(type)\" (expected one of: \(Self.types.joined(separator: ", ")))")
        }
    }

    /// A list of secrets under `key`, plus the files listed under its `*_file` twin (one path or several).
    private static func secrets(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, _ fileKey: CodingKeys
    ) throws -> [SecretRef] {
        var refs = try c.decode(key, default: [SecretRef]())
        if let path = try? c.decode(String.self, forKey: fileKey) {
            refs.append(.file(path))
        } else if c.contains(fileKey) {
            refs += try c.decode([String].self, forKey: fileKey).map(SecretRef.file)
        }
        guard !refs.isEmpty else {
            throw c.invalid(key, "at least one secret is required (under \(key.stringValue) or \(fileKey.stringValue))")
        }
        return refs
    }

    public var type: String {
        switch self {
        case .grafana: "grafana"
        case .standardWebhooks: "standard-webhooks"
        case .hex: "hex"
        case .bearer: "bearer"
        case .basic: "basic"
        case .none: "none"
        }
    }
}

public struct BasicUserConfig: Sendable, Decodable {
    public var username: String
    public var password: SecretRef

    enum CodingKeys: String, CodingKey, CaseIterable {
        case username, password, passwordFile = "password_file"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        username = try c.decode(String.self, forKey: .username)
        switch (try c.decodeIfPresent(SecretRef.self, forKey: .password), try c.decodeIfPresent(String.self, forKey: .passwordFile)) {
        case (let password?, nil): self.password = password
        case (nil, let file?): self.password = .file(file)
        case (nil, nil): throw c.invalid(.password, "password or password_file is required")
        case (_?, _?): throw c.invalid(.passwordFile, "give password or password_file, not both")
        }
    }
}

/// A node of the routing tree as written: Alertmanager's `route` keys that concern routing. AlertRelay does
/// not group or repeat (Alertmanager did that before sending), so those keys are refused with a word of why.
public struct RouteConfig: Sendable, Decodable {
    public var receiver: String?
    /// Entries such as `severity="critical"` or `{team=~"db.*", env!="dev"}`; parsed by the loader.
    public var matchers: [String]
    /// Alertmanager's older forms: equality and regex matchers as maps.
    public var match: [String: String]
    public var matchRE: [String: String]
    public var `continue`: Bool
    public var routes: [RouteConfig]
    public var activeTimeIntervals: [String]
    public var muteTimeIntervals: [String]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case receiver, matchers, match, matchRE = "match_re", `continue`, routes
        case activeTimeIntervals = "active_time_intervals", muteTimeIntervals = "mute_time_intervals"
        case groupBy = "group_by", groupWait = "group_wait", groupInterval = "group_interval", repeatInterval = "repeat_interval"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        for key in [CodingKeys.groupBy, .groupWait, .groupInterval, .repeatInterval] where c.contains(key) {
            throw c.invalid(key, "AlertRelay does not group or repeat notifications: Alertmanager already did; remove \(key.rawValue) here")
        }
        try decoder.rejectUnknownKeys(CodingKeys.self)
        receiver = try c.decodeIfPresent(String.self, forKey: .receiver)
        matchers = try c.decode(.matchers, default: [])
        match = try c.decode(.match, default: [:])
        matchRE = try c.decode(.matchRE, default: [:])
        self.continue = try c.decode(.continue, default: false)
        routes = try c.decode(.routes, default: [])
        activeTimeIntervals = try c.decode(.activeTimeIntervals, default: [])
        muteTimeIntervals = try c.decode(.muteTimeIntervals, default: [])
    }
}

/// A named recurring period (Alertmanager's `time_intervals` entry) that routes name in
/// `active_time_intervals` and `mute_time_intervals`.
public struct NamedTimeIntervalConfig: Sendable, Decodable {
    public var name: String
    public var timeIntervals: [TimeIntervalConfig]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, timeIntervals = "time_intervals"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        timeIntervals = try c.decode([TimeIntervalConfig].self, forKey: .timeIntervals)
    }
}

/// One `time_interval`: each field a list of strings, as Alertmanager writes them; checked by the loader.
public struct TimeIntervalConfig: Sendable, Decodable {
    public var times: [(start: String, end: String)]
    public var weekdays: [String]
    public var daysOfMonth: [String]
    public var months: [String]
    public var years: [String]
    public var location: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case times, weekdays, daysOfMonth = "days_of_month", months, years, location
    }

    struct TimeRange: Decodable {
        var startTime: String
        var endTime: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case startTime = "start_time", endTime = "end_time"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            startTime = try c.decode(String.self, forKey: .startTime)
            endTime = try c.decode(String.self, forKey: .endTime)
        }
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        times = try c.decode(.times, default: [TimeRange]()).map { ($0.startTime, $0.endTime) }
        weekdays = try c.decode(.weekdays, default: [])
        daysOfMonth = try c.decode(.daysOfMonth, default: [IntOrString]()).map(\.text)
        months = try c.decode(.months, default: [IntOrString]()).map(\.text)
        years = try c.decode(.years, default: [IntOrString]()).map(\.text)
        location = try c.decodeIfPresent(String.self, forKey: .location)
    }
}

/// A list entry YAML may read as a number or a string (`days_of_month: [1, -1, '1:5']`): kept as text.
public struct IntOrString: Sendable, Decodable {
    public var text: String

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let number = try? c.decode(Int.self) { text = String(number) } else { text = try c.decode(String.self) }
    }
}

public struct ReceiverConfig: Sendable, Decodable {
    public var name: String
    public var fileConfigs: [FileSinkConfig]
    public var webhookConfigs: [WebhookConfig]
    public var slackConfigs: [SlackConfig]
    public var emailConfigs: [EmailConfig]
    /// Overrides the global `retry` for this receiver's deliveries, key by key.
    public var retry: RetryOverride?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, fileConfigs = "file_configs", webhookConfigs = "webhook_configs", slackConfigs = "slack_configs", emailConfigs = "email_configs", retry
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        fileConfigs = try c.decode(.fileConfigs, default: [])
        webhookConfigs = try c.decode(.webhookConfigs, default: [])
        slackConfigs = try c.decode(.slackConfigs, default: [])
        emailConfigs = try c.decode(.emailConfigs, default: [])
        retry = try c.decodeIfPresent(RetryOverride.self, forKey: .retry)
    }
}

/// The `file` sink: an append-only JSON Lines outbox, one accepted notification a line.
public struct FileSinkConfig: Sendable, Decodable {
    /// Relative to the data directory unless absolute.
    public var path: String
    public var sendResolved: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, sendResolved = "send_resolved"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        sendResolved = try c.decode(.sendResolved, default: true)
    }
}

/// Alertmanager's `webhook_config`, plus AlertRelay's per-sink limits.
public struct WebhookConfig: Sendable, Decodable {
    public var url: SecretRef
    public var sendResolved: Bool
    public var maxAlerts: Int
    public var timeout: ConfigDuration
    public var maxConcurrency: Int
    /// Deliveries per second at most; 0: no limit.
    public var rateLimit: Double
    public var httpConfig: HTTPClientConfig
    public var signing: SigningConfig?
    /// A template that replaces the Alertmanager JSON body, and the `Content-Type` it is sent with.
    public var body: String?
    public var contentType: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, urlFile = "url_file", sendResolved = "send_resolved", maxAlerts = "max_alerts", timeout
        case maxConcurrency = "max_concurrency", rateLimit = "rate_limit", httpConfig = "http_config", signing
        case body, contentType = "content_type"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch (try c.decodeIfPresent(String.self, forKey: .url), try c.decodeIfPresent(String.self, forKey: .urlFile)) {
        case (let url?, nil): self.url = .value(url)
        case (nil, let file?): self.url = .file(file)
        case (nil, nil): throw c.invalid(.url, "url or url_file is required")
        case (_?, _?): throw c.invalid(.urlFile, "give url or url_file, not both")
        }
        sendResolved = try c.decode(.sendResolved, default: true)
        maxAlerts = try c.decode(.maxAlerts, default: 0)
        timeout = try c.decode(.timeout, default: ConfigDuration(.seconds(10)))
        maxConcurrency = try c.decode(.maxConcurrency, default: 8)
        rateLimit = try c.decode(.rateLimit, default: 0)
        httpConfig = try c.decode(.httpConfig, default: HTTPClientConfig())
        signing = try c.decodeIfPresent(SigningConfig.self, forKey: .signing)
        body = try c.decodeIfPresent(String.self, forKey: .body)
        contentType = try c.decode(.contentType, default: "application/json")
        if c.contains(.contentType), body == nil { throw c.invalid(.contentType, "only applies with a body template") }
        guard contentType.allSatisfy({ $0.isASCII && !$0.isNewline }), !contentType.isEmpty else {
            throw c.invalid(.contentType, "must be a media type such as application/json")
        }
        guard maxAlerts >= 0 else { throw c.invalid(.maxAlerts, "must not be negative") }
        guard maxConcurrency >= 1 else { throw c.invalid(.maxConcurrency, "must be at least 1") }
        guard rateLimit >= 0, rateLimit <= 1_000_000 else { throw c.invalid(.rateLimit, "must be between 0 (no limit) and 1000000 per second") }
        guard timeout.duration > .zero else { throw c.invalid(.timeout, "must be more than 0") }
    }
}

/// How a webhook sink signs what it sends: `type` is `standard-webhooks`, `grafana` or `hex`.
public struct SigningConfig: Sendable, Decodable {
    public var type: String
    public var secret: SecretRef
    public var header: String?
    public var timestampHeader: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, secret, secretFile = "secret_file", header, timestampHeader = "timestamp_header"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        guard ["standard-webhooks", "grafana", "hex"].contains(type) else {
            throw c.invalid(.type, "unknown signing type \"\(type)\" (expected standard-webhooks, grafana or hex)")
        }
        switch (try c.decodeIfPresent(SecretRef.self, forKey: .secret), try c.decodeIfPresent(String.self, forKey: .secretFile)) {
        case (let secret?, nil): self.secret = secret
        case (nil, let file?): self.secret = .file(file)
        case (nil, nil): throw c.invalid(.secret, "secret or secret_file is required")
        case (_?, _?): throw c.invalid(.secretFile, "give secret or secret_file, not both")
        }
        header = try c.decodeIfPresent(String.self, forKey: .header)
        timestampHeader = try c.decodeIfPresent(String.self, forKey: .timestampHeader)
        if type == "standard-webhooks", header != nil || timestampHeader != nil {
            throw c.invalid(.header, "standard-webhooks uses its own headers")
        }
    }
}

/// Alertmanager's `email_config`, plus AlertRelay's per-sink limits.
public struct EmailConfig: Sendable, Decodable {
    public var to: [String]
    public var from: String
    public var smarthost: String
    public var hello: String
    public var authUsername: String?
    public var authPassword: SecretRef?
    public var requireTLS: Bool
    public var tls: (caFile: String?, insecureSkipVerify: Bool)
    /// Header values (`Subject` included) and the two bodies are templates.
    public var headers: [String: String]
    public var text: String?
    public var html: String?
    public var sendResolved: Bool
    public var timeout: ConfigDuration
    public var maxConcurrency: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case to, from, smarthost, hello, authUsername = "auth_username", authPassword = "auth_password"
        case authPasswordFile = "auth_password_file", requireTLS = "require_tls", tlsConfig = "tls_config", headers
        case text, html, sendResolved = "send_resolved", timeout, maxConcurrency = "max_concurrency"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Alertmanager takes one comma-separated string; a list is accepted too.
        if let list = try? c.decode([String].self, forKey: .to) {
            to = list
        } else {
            to = try c.decode(String.self, forKey: .to).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard !to.isEmpty, to.allSatisfy({ !$0.isEmpty }) else { throw c.invalid(.to, "at least one address is required") }
        from = try c.decode(String.self, forKey: .from)
        smarthost = try c.decode(String.self, forKey: .smarthost)
        hello = try c.decode(.hello, default: "localhost")
        authUsername = try c.decodeIfPresent(String.self, forKey: .authUsername)
        switch (try c.decodeIfPresent(SecretRef.self, forKey: .authPassword), try c.decodeIfPresent(String.self, forKey: .authPasswordFile)) {
        case (let password, nil): authPassword = password
        case (nil, let file?): authPassword = .file(file)
        case (_?, _?): throw c.invalid(.authPasswordFile, "give auth_password or auth_password_file, not both")
        }
        requireTLS = try c.decode(.requireTLS, default: true)
        tls = (nil, false)
        if c.contains(.tlsConfig) {
            let t = try c.superDecoder(forKey: .tlsConfig)
            try t.rejectUnknownKeys(HTTPClientConfig.TLSKeys.self)
            let k = try t.container(keyedBy: HTTPClientConfig.TLSKeys.self)
            tls = (try k.decodeIfPresent(String.self, forKey: .caFile), try k.decode(.insecureSkipVerify, default: false))
        }
        headers = try c.decode(.headers, default: [:])
        text = try c.decodeIfPresent(String.self, forKey: .text)
        html = try c.decodeIfPresent(String.self, forKey: .html)
        sendResolved = try c.decode(.sendResolved, default: false)  // Alertmanager's default for email
        timeout = try c.decode(.timeout, default: ConfigDuration(.seconds(30)))
        maxConcurrency = try c.decode(.maxConcurrency, default: 4)
        guard maxConcurrency >= 1 else { throw c.invalid(.maxConcurrency, "must be at least 1") }
        guard timeout.duration > .zero else { throw c.invalid(.timeout, "must be more than 0") }
    }
}

/// Alertmanager's `slack_config` (incoming webhooks), plus AlertRelay's per-sink limits.
public struct SlackConfig: Sendable, Decodable {
    public var apiURL: SecretRef
    public var channel: String?
    public var username: String?
    public var iconEmoji: String?
    public var iconURL: String?
    public var title: String?
    public var text: String?
    /// AlertRelay's: the template of each alert's section block.
    public var alertText: String?
    public var color: String?
    public var sendResolved: Bool
    public var timeout: ConfigDuration
    public var maxConcurrency: Int
    public var rateLimit: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiURL = "api_url", apiURLFile = "api_url_file", channel, username, iconEmoji = "icon_emoji", iconURL = "icon_url"
        case title, text, alertText = "alert_text", color, sendResolved = "send_resolved", timeout, maxConcurrency = "max_concurrency", rateLimit = "rate_limit"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch (try c.decodeIfPresent(SecretRef.self, forKey: .apiURL), try c.decodeIfPresent(String.self, forKey: .apiURLFile)) {
        case (let url?, nil): apiURL = url
        case (nil, let file?): apiURL = .file(file)
        case (nil, nil): throw c.invalid(.apiURL, "api_url or api_url_file is required")
        case (_?, _?): throw c.invalid(.apiURLFile, "give api_url or api_url_file, not both")
        }
        channel = try c.decodeIfPresent(String.self, forKey: .channel)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        iconEmoji = try c.decodeIfPresent(String.self, forKey: .iconEmoji)
        iconURL = try c.decodeIfPresent(String.self, forKey: .iconURL)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        alertText = try c.decodeIfPresent(String.self, forKey: .alertText)
        color = try c.decodeIfPresent(String.self, forKey: .color)
        sendResolved = try c.decode(.sendResolved, default: false)  // Alertmanager's default for Slack
        timeout = try c.decode(.timeout, default: ConfigDuration(.seconds(10)))
        maxConcurrency = try c.decode(.maxConcurrency, default: 1)
        rateLimit = try c.decode(.rateLimit, default: 1)  // Slack allows about one message per second
        guard maxConcurrency >= 1 else { throw c.invalid(.maxConcurrency, "must be at least 1") }
        guard rateLimit >= 0, rateLimit <= 1_000_000 else { throw c.invalid(.rateLimit, "must be between 0 (no limit) and 1000000 per second") }
        guard timeout.duration > .zero else { throw c.invalid(.timeout, "must be more than 0") }
    }
}

/// Alertmanager's `http_config`, the parts a webhook needs.
public struct HTTPClientConfig: Sendable, Decodable {
    public var authorization: (type: String, credentials: SecretRef)?
    public var basicAuth: BasicUserConfig?
    public var tls = (caFile: String?.none, insecureSkipVerify: false)
    public var followRedirects = false

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case authorization, basicAuth = "basic_auth", tlsConfig = "tls_config", followRedirects = "follow_redirects"
    }

    enum AuthorizationKeys: String, CodingKey, CaseIterable {
        case type, credentials, credentialsFile = "credentials_file"
    }

    enum TLSKeys: String, CodingKey, CaseIterable {
        case caFile = "ca_file", insecureSkipVerify = "insecure_skip_verify"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.authorization) {
            let authorization = try c.superDecoder(forKey: .authorization)
            try authorization.rejectUnknownKeys(AuthorizationKeys.self)
            let a = try authorization.container(keyedBy: AuthorizationKeys.self)
            let type = try a.decode(.type, default: "Bearer")
            switch (try a.decodeIfPresent(SecretRef.self, forKey: .credentials), try a.decodeIfPresent(String.self, forKey: .credentialsFile)) {
            case (let credentials?, nil): self.authorization = (type, credentials)
            case (nil, let file?): self.authorization = (type, .file(file))
            default: throw a.invalid(.credentials, "give credentials or credentials_file")
            }
        }
        basicAuth = try c.decodeIfPresent(BasicUserConfig.self, forKey: .basicAuth)
        if authorization != nil, basicAuth != nil {
            throw c.invalid(.basicAuth, "give authorization or basic_auth, not both")
        }
        if c.contains(.tlsConfig) {
            let tls = try c.superDecoder(forKey: .tlsConfig)
            try tls.rejectUnknownKeys(TLSKeys.self)
            let t = try tls.container(keyedBy: TLSKeys.self)
            self.tls = (try t.decodeIfPresent(String.self, forKey: .caFile), try t.decode(.insecureSkipVerify, default: false))
        }
        followRedirects = try c.decode(.followRedirects, default: false)
    }
}

public struct DedupConfig: Sendable, Decodable {
    public var window = ConfigDuration(.seconds(300))

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case window }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        window = try decoder.container(keyedBy: CodingKeys.self).decode(.window, default: window)
    }
}

/// Delivery retries: exponential backoff with jitter, then a dead letter.
public struct RetryConfig: Sendable, Decodable {
    public var initialInterval = ConfigDuration(.seconds(1))
    public var multiplier = 2.0
    public var maxInterval = ConfigDuration(.seconds(300))
    public var maxAge = ConfigDuration(.seconds(86_400))
    /// 0: no limit other than `max_age`.
    public var maxAttempts = 0

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case initialInterval = "initial_interval", multiplier, maxInterval = "max_interval", maxAge = "max_age"
        case maxAttempts = "max_attempts"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initialInterval = try c.decode(.initialInterval, default: initialInterval)
        multiplier = try c.decode(.multiplier, default: multiplier)
        maxInterval = try c.decode(.maxInterval, default: maxInterval)
        maxAge = try c.decode(.maxAge, default: maxAge)
        maxAttempts = try c.decode(.maxAttempts, default: maxAttempts)
        guard multiplier >= 1 else { throw c.invalid(.multiplier, "must be at least 1") }
        guard maxAttempts >= 0 else { throw c.invalid(.maxAttempts, "must not be negative") }
        guard initialInterval.duration > .zero else { throw c.invalid(.initialInterval, "must be more than 0") }
        guard maxInterval >= initialInterval else { throw c.invalid(.maxInterval, "must be at least initial_interval") }
    }
}

extension RetryConfig {
    public var policy: RetryPolicy {
        RetryPolicy(
            initialInterval: initialInterval.duration, multiplier: multiplier, maxInterval: maxInterval.duration,
            maxAge: maxAge.duration, maxAttempts: maxAttempts
        )
    }

    func overridden(by override: RetryOverride) -> RetryConfig {
        var config = self
        if let value = override.initialInterval { config.initialInterval = value }
        if let value = override.multiplier { config.multiplier = value }
        if let value = override.maxInterval { config.maxInterval = value }
        if let value = override.maxAge { config.maxAge = value }
        if let value = override.maxAttempts { config.maxAttempts = value }
        return config
    }
}

/// A receiver's `retry`: only the keys it sets replace the global ones.
public struct RetryOverride: Sendable, Decodable {
    public var initialInterval: ConfigDuration?
    public var multiplier: Double?
    public var maxInterval: ConfigDuration?
    public var maxAge: ConfigDuration?
    public var maxAttempts: Int?

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(RetryConfig.CodingKeys.self)
        let c = try decoder.container(keyedBy: RetryConfig.CodingKeys.self)
        initialInterval = try c.decodeIfPresent(ConfigDuration.self, forKey: .initialInterval)
        multiplier = try c.decodeIfPresent(Double.self, forKey: .multiplier)
        maxInterval = try c.decodeIfPresent(ConfigDuration.self, forKey: .maxInterval)
        maxAge = try c.decodeIfPresent(ConfigDuration.self, forKey: .maxAge)
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts)
        if let multiplier, multiplier < 1 { throw c.invalid(.multiplier, "must be at least 1") }
        if let maxAttempts, maxAttempts < 0 { throw c.invalid(.maxAttempts, "must not be negative") }
    }
}

/// The admin API's bearer token (test-fire, reload, deliveries).
public struct AdminConfig: Sendable, Decodable {
    public var token: SecretRef?
    /// `/metrics` needs the admin token too (Prometheus' `authorization` in the scrape config sends it).
    public var protectMetrics = false

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case token, tokenFile = "token_file", protectMetrics = "protect_metrics" }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decodeIfPresent(SecretRef.self, forKey: .token) ?? c.decodeIfPresent(String.self, forKey: .tokenFile).map(SecretRef.file)
        protectMetrics = try c.decode(.protectMetrics, default: false)
        if protectMetrics, token == nil { throw c.invalid(.protectMetrics, "needs admin.token or admin.token_file") }
    }
}
