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

/// Deletes delivered jobs past their retention and expired dedup entries, hourly.
struct PruneService: Service {
    let store: any RelayStore
    let retention: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let now = clock()
            do {
                let pruned = try await store.prune(deliveredBefore: now.addingTimeInterval(-retention.timeInterval), now: now)
                if pruned > 0 { logger.info("Pruned delivered jobs", metadata: ["jobs": "\(pruned)"]) }
            } catch {
                logger.error("Pruning failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
