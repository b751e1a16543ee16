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

/// SIGHUP reloads the configuration, as it does for Prometheus and Alertmanager.
struct ReloadOnHangup: Service {
    let relay: Relay
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown {
            for await _ in hangups {
                logger.notice("SIGHUP: reloading the configuration")
                _ = await relay.reload(logger: logger)
            }
        }
    }
}
