/// Makes concurrent writers share one flush to disk.
///
/// A caller that finds no flush running leads: it flushes its own item. Callers arriving meanwhile wait; when
/// the flush ends, the first of them is handed the lead and flushes all of them as one batch, and so on. Each
/// caller waits for at most the flush in progress plus its own batch's, and throughput grows with concurrency
/// instead of being capped at one request per `fsync`.
public actor GroupCommit<Item: Sendable, Output: Sendable> {
    public typealias Flush = @Sendable ([Item]) async -> [Result<Output, any Error>]

    private enum Role {
        /// Flush this batch (the first entry is the caller's own).
        case lead([Entry])
        /// Someone else flushed it.
        case done(Result<Output, any Error>)
    }

    private struct Entry {
        var item: Item
        /// `nil` for the caller that leads the batch.
        var continuation: CheckedContinuation<Role, Never>?
    }

    private let flush: Flush
    private var flushing = false
    private var waiting: [Entry] = []

    /// - Parameter flush: writes a batch durably and returns one result per item, in order.
    public init(flush: @escaping Flush) {
        self.flush = flush
    }

    public func submit(_ item: Item) async throws -> Output {
        guard flushing else {
            flushing = true
            return try await lead([Entry(item: item, continuation: nil)])
        }
        let role = await withCheckedContinuation { waiting.append(Entry(item: item, continuation: $0)) }
        switch role {
        case .done(let result):
            return try result.get()
        case .lead(var batch):
            batch[0].continuation = nil
            return try await lead(batch)
        }
    }

    private func lead(_ batch: [Entry]) async throws -> Output {
        let results = await flush(batch.map(\.item))
        func result(_ index: Int) -> Result<Output, any Error> {
            index < results.count ? results[index] : .failure(GroupCommitError.missingResult)
        }
        for index in batch.indices.dropFirst() {
            batch[index].continuation?.resume(returning: .done(result(index)))
        }
        if waiting.isEmpty {
            flushing = false
        } else {
            let next = waiting
            waiting = []
            next[0].continuation?.resume(returning: .lead(next))
        }
        return try result(0).get()
    }
}

enum GroupCommitError: Error {
    case missingResult
}
