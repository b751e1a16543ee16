import Foundation
import Synchronization

/// Wakes the delivery loop: a new job was queued, or a delivery finished.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when rung (at once if it was rung since the last wait), or after `timeout`.
    public func wait(timeout: Duration, clock: some Clock<Duration> = ContinuousClock()) async {
        let alreadyRung = state.withLock { state in
            defer { state.rung = false }
            return state.rung
        }
        if alreadyRung { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(for: timeout, tolerance: nil) }
            group.addTask { await self.waitForRing() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    // Cancelled (the wait timed out): a ring that comes now is kept for the next wait.
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
