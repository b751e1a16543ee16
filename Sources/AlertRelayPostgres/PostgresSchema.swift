import Foundation
import Logging
import PostgresNIO

/// The store's tables, versioned. One replica applies what is missing at start, under an advisory lock (the
/// others wait for it); a replica whose binary is older than the database's schema refuses to start, rather
/// than writing rows a newer one would misread.
public enum PostgresSchema {
    /// Each step (its statements in order) takes the schema from its index to the next version. Released
    /// steps never change.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE jobs (
                id BIGSERIAL PRIMARY KEY,
                notification_id TEXT NOT NULL,
                source TEXT NOT NULL,
                receiver TEXT NOT NULL,
                sink TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                lease_until BIGINT,
                claim BIGINT,
                last_error TEXT,
                payload BYTEA NOT NULL
            )
            """,
            """
            CREATE SEQUENCE claims
            """,
            """
            CREATE INDEX jobs_due ON jobs (receiver, sink, next_attempt_at, id) WHERE state IN ('pending', 'retrying')
            """,
            """
            CREATE INDEX jobs_leased ON jobs (receiver, sink, lease_until) WHERE state = 'delivering'
            """,
            """
            CREATE INDEX jobs_notification ON jobs (notification_id)
            """,
            """
            CREATE INDEX jobs_state ON jobs (state, updated_at)
            """,
            """
            CREATE TABLE attempts (
                job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                started_at BIGINT NOT NULL,
                duration_ms BIGINT NOT NULL,
                outcome TEXT NOT NULL,
                reason TEXT,
                status INTEGER,
                response TEXT NOT NULL,
                PRIMARY KEY (job_id, number)
            )
            """,
            """
            CREATE TABLE dedup (
                key TEXT PRIMARY KEY,
                notification_id TEXT NOT NULL,
                expires_at BIGINT NOT NULL,
                receiver TEXT NOT NULL DEFAULT '',
                sink TEXT NOT NULL DEFAULT ''
            )
            """,
            """
            CREATE INDEX dedup_expiry ON dedup (expires_at)
            """,
        ],
        // 2: the replay guard, shared by the replicas.
        [
            "CREATE TABLE replays (key TEXT PRIMARY KEY, notification_id TEXT, expires_at BIGINT NOT NULL)",
            "CREATE INDEX replays_expiry ON replays (expires_at)",
        ],
    ]

    /// The newest version this binary knows.
    public static var version: Int { migrations.count }

    /// Why a replica does not start on this database.
    public struct Mismatch: Error, CustomStringConvertible {
        public var database: Int
        public var binary: Int
        public var description: String {
            "the database's AlertRelay schema is version \(database), newer than this binary knows (\(binary)): run the newer alertrelay, or restore the database it was upgraded from"
        }
    }

    /// Brings `schema` up to ``version``: creates it if needed, applies the missing steps in one transaction,
    /// all under a transaction-level advisory lock so that replicas starting together apply each step once.
    public static func migrate(_ client: PostgresClient, schema: String, logger: Logger) async throws {
        try await Database(client: client, logger: logger).transaction { session in
            try await session.query("SELECT pg_advisory_xact_lock(\(lockKey))")
            try await session.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(quoted(schema))"))
            try await session.query(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(quoted(schema))"))
            try await session.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            let current = try await session.query("SELECT version FROM schema_version").first?.decode(Int.self) ?? 0
            guard current <= version else { throw Mismatch(database: current, binary: version) }
            guard current < version else { return }
            for statement in migrations[current...].joined() {
                try await session.query(PostgresQuery(unsafeSQL: statement))
            }
            try await session.query("DELETE FROM schema_version")
            try await session.query("INSERT INTO schema_version (version) VALUES (\(version))")
            logger.notice("Applied the PostgreSQL schema", metadata: ["schema": "\(schema)", "from": "\(current)", "to": "\(version)"])
        }
    }

    /// The advisory lock every replica's migration takes: "ALRTRELY".
    static let lockKey: Int64 = 0x414C_5254_5245_4C59

    /// An identifier quoted for SQL (`"alert""relay"`).
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
