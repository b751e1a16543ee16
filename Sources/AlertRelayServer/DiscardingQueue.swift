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

/// Answers every enqueue as accepted and keeps nothing: the no-store ceiling for benchmarks.
struct DiscardingQueue: JobQueue {
    func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult {
        .accepted(jobs: notification.jobs.count, duplicates: 0)
    }
}
