import Foundation
import Synchronization

/// The durable queue as the delivery workers see it.
public protocol DeliveryQueue: JobQueue {
    /// Rung by the queue after every commit that makes a job due (an enqueue, a retry): the workers wait on it.
    var doorbell: Doorbell { get }
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
