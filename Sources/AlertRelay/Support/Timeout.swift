/// Runs `body`, giving up after `timeout`: `nil` then, and `body` is cancelled (what it waits on must honour
/// cancellation, as a connection pool's lease does). Structured: it returns only once `body` has ended.
public func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
