import AlertRelay
import Foundation
import Logging
import PostgresNIO

/// The replay guard in the database the replicas share: a Standard Webhooks `webhook-id` or a timestamped
/// Grafana signature accepted by one replica is a duplicate at every other, for as long as the sender's
/// timestamp tolerance would let a replay through. A key is reserved while its webhook is written (another
/// request with it is told to retry shortly) and committed once accepted; a failed write releases it.
public struct PostgresReplayLedger: ReplayLedger {
    let database: Database
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        database = Database(client: client, logger: logger)
        self.logger = logger
    }

    public func reserve(_ key: String, window: Duration, now: Date) async throws -> ReplayGuard.Reservation {
        let at = millis(now)
        let expires = at + millis(window)
        let taken = try await database.query(
            """
            INSERT INTO replays (key, notification_id, expires_at) VALUES (\(key), NULL, \(expires))
            ON CONFLICT (key) DO UPDATE SET notification_id = NULL, expires_at = EXCLUDED.expires_at WHERE replays.expires_at <= \(at)
            RETURNING key
            """
        )
        if !taken.isEmpty { return .fresh }
        let holder = try await database.query("SELECT notification_id FROM replays WHERE key = \(key)").first
        guard let holder, let id = try holder.decode(String?.self) else { return .inFlight }
        return .duplicate(of: id)
    }

    public func commit(_ key: String, id: String) async {
        do {
            try await database.query("UPDATE replays SET notification_id = \(id) WHERE key = \(key)")
        } catch {
            logger.warning("Could not record a replay key; a replay of it is caught by the dedup log", metadata: ["error": "\(error)"])
        }
    }

    public func release(_ key: String) async {
        do {
            try await database.query("DELETE FROM replays WHERE key = \(key) AND notification_id IS NULL")
        } catch {
            logger.warning("Could not release a replay key; it expires with its window", metadata: ["error": "\(error)"])
        }
    }
}
