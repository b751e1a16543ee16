import Logging
import NIOCore
import PostgresNIO

/// The connection pool as the store uses it: every query ends, whatever the connection does.
///
/// PostgresNIO 1.33 writes a query to its connection and waits on a promise that only the connection's
/// handler completes. A query written to a connection that closed just after the pool lent it (the database
/// restarted) reaches no handler: it waits forever and ignores cancellation. Under load that happened about
/// once in seven database restarts, and the query held a group commit, so every webhook of that replica hung
/// and SIGTERM could not end the process. Here a query waits on its own promise, which the query's result, the
/// task's cancellation or ``queryDeadline`` completes, whichever comes first; a query given up closes its
/// connection, so the pool stops lending it (one that was lent in the meantime fails its first query).
struct Database: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Past the server's own `statement_timeout` (``PostgresSettings/serverBounds``): a query the server still
    /// runs ends there first, with the server's error; this bound is for a connection that no longer answers.
    static let queryDeadline = TimeAmount.seconds(35)

    /// One statement on a connection of the pool; its rows.
    @discardableResult
    func query(_ query: PostgresQuery, isolation: isolated (any Actor)? = #isolation) async throws -> [PostgresRow] {
        do {
            return try await onSession(isolation: isolation) { try await $0.query(query) }
        } catch QueryAbandoned.connectionClosed {
            // Lent just as it closed, and nothing was sent: once more, on another connection.
            return try await onSession(isolation: isolation) { try await $0.query(query) }
        }
    }

    /// `body` in one transaction on one connection: committed if it returns, rolled back if it throws (or the
    /// connection closed, which the server rolls back itself).
    func transaction<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (Session) async throws -> sending T
    ) async throws -> sending T {
        do {
            return try await onSession(isolation: isolation) { try await $0.transaction(isolation: isolation, body) }
        } catch let error as TransactionNotStarted where !Task.isCancelled {
            // Nothing was done (typically its connection was lent just as it closed, one of the pool's old ones
            // after the database restarted): once more, on another connection.
            logger.debug("A transaction could not begin; once more on another connection", metadata: ["error": "\(error.underlying)"])
            return try await onSession(isolation: isolation) { try await $0.transaction(isolation: isolation, body) }
        }
    }

    /// `body` on a connection lent by the pool for as long as it runs.
    private func onSession<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (Session) async throws -> sending T
    ) async throws -> sending T {
        try await client.withConnection(isolation: isolation) { connection in
            try await body(Session(connection: connection, logger: logger))
        }
    }
}

/// One connection, lent by the pool or held for good (sink ownership), with queries that always end.
struct Session: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// The query's rows, or an error: the server's, the connection's, or ours once the task is cancelled or
    /// ``Database/queryDeadline`` passes without an answer. In those last two cases, and only when they win
    /// (an answer that came first stands), the connection is closed: its state is unknown.
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        guard !connection.isClosed else {
            // Closing or closed: wait until it is gone (the pool hears of it first, so it lends another next).
            try? await connection.closeFuture.get()
            throw QueryAbandoned.connectionClosed
        }
        let connection = self.connection
        let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        connection.query(query, logger: logger).cascade(to: answer)
        answer.futureResult.whenFailure { error in
            guard error is CancellationError || error as? QueryAbandoned == .noAnswer else { return }
            connection.close().whenComplete { _ in }
        }
        let deadline = connection.eventLoop.scheduleTask(in: Database.queryDeadline) { answer.fail(QueryAbandoned.noAnswer) }
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await answer.futureResult.get().rows
        } onCancel: {
            // A promise keeps its first result: a query that already answered is not undone.
            answer.fail(CancellationError())
        }
    }

    func transaction<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (Session) async throws -> sending T
    ) async throws -> sending T {
        do {
            try await query("BEGIN")
        } catch {
            throw TransactionNotStarted(underlying: error)
        }
        let value: T
        do {
            value = try await body(self)
        } catch {
            _ = try? await query("ROLLBACK")
            throw error
        }
        try await query("COMMIT")
        return value
    }
}

/// A transaction whose `BEGIN` failed: nothing of it reached the database.
struct TransactionNotStarted: Error, CustomStringConvertible {
    var underlying: any Error
    var description: String { "\(underlying)" }
}

/// A query given up without the server's answer.
enum QueryAbandoned: Error, CustomStringConvertible {
    case connectionClosed
    case noAnswer

    var description: String {
        switch self {
        case .connectionClosed: "the connection to the database closed"
        case .noAnswer: "the database did not answer within \(Database.queryDeadline.nanoseconds / 1_000_000_000) s; the connection was closed"
        }
    }
}
