/// Makes concurrent writers share one flush to disk.
///
/// A caller that finds no flush running leads: it flushes its own item, then, until nobody is waiting, every
/// item that arrived meanwhile, as one batch. Callers arriving during a flush wait and get their own result
/// from the batch they were part of. Throughput then grows with concurrency instead of being capped at one
/// request per `fsync`.
public actor GroupCommit<Item: Sendable, Output: Sendable> {
    public typealias Flush = @Sendable ([Item]) async -> [Result<Output, any Error>]

    private let flush: Flush
    private var flushing = false
    private var waiting: [(item: Item, continuation: CheckedContinuation<Output, any Error>)] = []

    /// - Parameter flush: writes a batch durably and returns one result per item, in order.
    public init(flush: @escaping Flush) {
        self.flush = flush
    }

    public func submit(_ item: Item) async throws -> Output {
        if flushing {
            return try await withCheckedThrowingContinuation { waiting.append((item, $0)) }
        }
        flushing = true
        defer { flushing = false }
        let own = await flush([item])
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            let results = await flush(batch.map(\.item))
            for (index, entry) in batch.enumerated() {
                entry.continuation.resume(with: index < results.count ? results[index] : .failure(GroupCommitError.missingResult))
            }
        }
        guard let result = own.first else { throw GroupCommitError.missingResult }
        return try result.get()
    }
}

enum GroupCommitError: Error {
    case missingResult
}
