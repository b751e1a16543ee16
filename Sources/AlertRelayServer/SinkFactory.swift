import AlertRelay
import AlertRelayCurl
import AlertRelayStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Builds the sinks a configuration names, sharing what outlives a reload: the curl transports (and so their
/// connections) and the file outboxes (one open file each).
final class SinkFactory: Sendable {
    private struct Shared {
        var transport: CurlHTTPTransport?
        var mail: CurlMailTransport?
        var outboxes: [String: JSONLinesOutbox] = [:]
    }

    private let shared = Mutex(Shared())
    let clock: @Sendable () -> Date

    init(clock: @escaping @Sendable () -> Date) {
        self.clock = clock
    }

    func routes(for configuration: RelayConfiguration) throws -> [SinkAddress: ConfiguredSink] {
        var routes: [SinkAddress: ConfiguredSink] = [:]
        for receiver in configuration.receivers.values {
            for sink in receiver.sinks {
                routes[sink.address] = ConfiguredSink(sink: try build(sink.kind), limits: sink.limits, policy: receiver.retry)
            }
        }
        return routes
    }

    private func build(_ kind: ReceiverSink.Kind) throws -> any Sink {
        let clock = self.clock
        return try shared.withLock { shared throws -> any Sink in
            switch kind {
            case .file(let path):
                let outbox = try shared.outboxes[path] ?? JSONLinesOutbox(path: path)
                shared.outboxes[path] = outbox
                return FileSink(outbox: outbox)
            case .webhook(let settings):
                let transport = shared.transport ?? CurlHTTPTransport()
                shared.transport = transport
                return WebhookSink(settings: settings, transport: transport, now: clock)
            case .slack(let settings):
                let transport = shared.transport ?? CurlHTTPTransport()
                shared.transport = transport
                return SlackSink(settings: settings, transport: transport, now: clock)
            case .email(let settings):
                let mail = shared.mail ?? CurlMailTransport()
                shared.mail = mail
                return EmailSink(settings: settings, transport: mail, now: clock)
            case .api(let settings):
                let transport = shared.transport ?? CurlHTTPTransport()
                shared.transport = transport
                return APISink(settings: settings, transport: transport, now: clock)
            }
        }
    }
}
