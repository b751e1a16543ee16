import Foundation

/// The checked, resolved configuration the service runs on.
public struct RelayConfiguration: Sendable {
    public var file: String
    public var listenAddress: ListenAddress
    /// The second listener for `/metrics` and health, when configured.
    public var metricsListenAddress: ListenAddress?
    /// HTTPS on the main listener, when `server.tls` is set.
    public var listenerTLS: ListenerTLSFiles?
    public var dataDirectory: URL
    /// Where the queue lives.
    public var store: StoreLocation
    public var sources: [String: Source]
    public var receivers: [String: Receiver]
    public var routing: RoutingTree
    public var adminToken: Secret?
    /// The built-in templates and the config's template files.
    public var templates: TemplateLibrary
    /// The file as written (every section, defaults filled in), for what the resolved parts above do not carry.
    public var settings: ConfigFile
    /// What was accepted but has no effect here (Alertmanager's grouping keys): printed by `check-config`,
    /// logged by `serve`.
    public var warnings: [ConfigIssue] = []
}
