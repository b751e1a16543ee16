import Foundation

/// Everything the service asks of its store: the queue as ingest and the workers use it (``DeliveryQueue``),
/// and what operators do with it (the admin API, pruning, readiness, gauges). SQLite (AlertRelayStore, one
/// machine) and PostgreSQL (AlertRelayPostgres, several replicas) implement it; one conformance suite checks
/// both against this contract.
public protocol RelayStore: DeliveryQueue {
    /// When the oldest job still waiting to be delivered was accepted.
    func oldestWaiting() async throws -> Date?
    /// Jobs waiting, per sink.
    func waitingBySink() async throws -> [SinkAddress: Int]
    /// Jobs per state.
    func counts() async throws -> [JobState: Int]
    /// A page of jobs, newest first; `before` is the last id of the previous page.
    func jobs(state: JobState?, receiver: String?, notification: String?, limit: Int, before: Int64?) async throws -> [Job]
    /// A job and its attempts.
    func job(id: Int64) async throws -> (Job, [Attempt])?
    /// Puts a dead, muted or waiting job back in the queue, due now; `false` when there is no such job.
    func retry(id: Int64, now: Date) async throws -> Bool
    /// Puts every job in `state` (of one receiver, if given) back in the queue.
    func retryAll(state: JobState, receiver: String?, now: Date) async throws -> Int
    /// Deletes a job that is not being delivered.
    func drop(id: Int64) async throws -> Bool
    /// Deletes delivered and muted jobs older than `deliveredBefore`, and expired dedup entries.
    func prune(deliveredBefore: Date, now: Date) async throws -> Int
    /// Throws unless a write can be committed right now (for `/-/ready`).
    func checkWritable() async throws
}

extension RelayStore {
    public func jobs(state: JobState?, receiver: String?, limit: Int, before: Int64?) async throws -> [Job] {
        try await jobs(state: state, receiver: receiver, notification: nil, limit: limit, before: before)
    }
}
