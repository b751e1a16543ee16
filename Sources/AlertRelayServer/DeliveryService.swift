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

/// The delivery workers as a service: on graceful shutdown they stop claiming and finish what they hold.
struct DeliveryService: Service {
    let dispatcher: Dispatcher

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.stop()
        }
    }
}
