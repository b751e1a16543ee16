import AlertRelay

/// Job states in the store's SQL come from ``JobState`` and nowhere else. They are written into the
/// statements as literals, not bound as arguments: SQLite uses a partial index (`jobs_waiting_since`) only for
/// a query whose terms name its states literally. (Migrations keep the text they were released with.)
extension JobState {
    /// The state as an SQL string literal: `'pending'`.
    var sql: String { "'\(rawValue)'" }

    /// Waiting to be claimed: due now or later.
    static let waiting: [JobState] = [.pending, .retrying]
}

extension [JobState] {
    /// An SQL list for `IN`: `('pending', 'retrying')`.
    var sql: String { "(" + map(\.sql).joined(separator: ", ") + ")" }
}
