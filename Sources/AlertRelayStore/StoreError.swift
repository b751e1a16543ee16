import AlertRelay
import Foundation
import GRDB

/// A store operation that failed, with SQLite's reason (disk full, read-only, corrupt).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var reason: String
    /// The file is damaged (not a database, or corrupt pages): never treated as an empty queue.
    public var isCorrupt: Bool

    init(operation: String, _ error: any Error) {
        self.operation = operation
        if let error = error as? DatabaseError {
            self.reason = "\(error.resultCode): \(error.message ?? "")"
            self.isCorrupt = error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        } else {
            self.reason = "\(error)"
            self.isCorrupt = false
        }
    }

    public var description: String {
        guard isCorrupt else { return "\(operation): \(reason)" }
        return """
            \(operation): the queue database is damaged (\(reason)). AlertRelay will not start on it, so that no \
            queued alert is silently dropped. To recover: stop alertrelay; move queue.db, queue.db-wal and \
            queue.db-shm aside; salvage what can be read with `sqlite3 OLD/queue.db .recover | sqlite3 queue.db` \
            in the data directory (or start with an empty queue); start alertrelay again. See README, "Security".
            """
    }
}
