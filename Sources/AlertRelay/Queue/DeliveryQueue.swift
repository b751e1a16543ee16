import Foundation
import Synchronization

/// The durable queue as the delivery workers see it.
public protocol DeliveryQueue: JobQueue {
    /// Jobs a dead process held go back to the queue. Called once, before the workers start.
    func recoverInterrupted(now: Date) async throws -> Int
    /// Marks and returns up to `allowances[sink]` due jobs for each sink, oldest due first.
    func claimDue(now: Date, allowances: [SinkAddress: Int]) async throws -> [Job]
    /// Records an attempt and moves the job on, durably.
    func finish(jobID: Int64, attempt: Attempt, transition: JobTransition) async throws
    /// When the next waiting job falls due.
    func nextDue() async throws -> Date?
    /// Gives back a claimed job without counting an attempt (its sink left the config, or a shutdown cut its
    /// delivery off), due again at `at`.
    func release(jobID: Int64, at: Date, reason: String) async throws
}

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
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
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
