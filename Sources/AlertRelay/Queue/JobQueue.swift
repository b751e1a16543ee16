import Foundation

public enum EnqueueResult: Sendable, Equatable {
    /// Jobs were written; `duplicates` sinks had already received the same notification within the window.
    case accepted(jobs: Int, duplicates: Int)
    /// Every sink had already received it: nothing was written. The id is the first acceptance's.
    case duplicate(of: String)
}

/// The durable queue as the ingest path sees it.
public protocol JobQueue: Sendable {
    /// Returns once the jobs are committed durably, or throws: no 2xx without that commit.
    func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult
    /// The id of the notification that every one of `jobs` duplicates within its dedup window, if all do:
    /// what ``enqueue(_:)`` would answer `.duplicate` for, found without writing.
    func firstAcceptance(of jobs: [NewJob], at now: Date) async throws -> String?
}

extension JobQueue {
    public func firstAcceptance(of jobs: [NewJob], at now: Date) async throws -> String? { nil }
}
