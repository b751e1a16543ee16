import AlertRelay
import Foundation
import GRDB

extension QueueStore {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        notification_id TEXT NOT NULL,
                        source TEXT NOT NULL,
                        receiver TEXT NOT NULL,
                        sink TEXT NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        last_error TEXT,
                        payload BLOB NOT NULL
                    );
                    CREATE INDEX jobs_due ON jobs (state, next_attempt_at);
                    CREATE INDEX jobs_receiver ON jobs (receiver, state);
                    CREATE TABLE attempts (
                        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                        number INTEGER NOT NULL,
                        started_at INTEGER NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        status INTEGER,
                        response TEXT NOT NULL,
                        PRIMARY KEY (job_id, number)
                    );
                    CREATE TABLE dedup (
                        key TEXT PRIMARY KEY,
                        notification_id TEXT NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX dedup_expiry ON dedup (expires_at);
                    """
            )
        }
        migrator.registerMigration("v2: deliveries by notification") { db in
            try db.execute(sql: "CREATE INDEX jobs_notification ON jobs (notification_id)")
        }
        // Found by scripts/bench.sh with 1M jobs waiting: the oldest-waiting gauge read every row (1.2 s a
        // scrape) and the per-sink count on reload sorted them all (2 s). A partial index holds only the
        // waiting jobs; the per-sink count reads an index, not the table. The new per-sink index also serves
        // what (receiver, state) served, so that one goes: no more b-trees per insert than before.
        migrator.registerMigration("v3: backlog-sized indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX jobs_waiting_since ON jobs (created_at) WHERE state IN ('pending', 'retrying');
                    CREATE INDEX jobs_sink_state ON jobs (receiver, sink, state);
                    DROP INDEX jobs_receiver;
                    """
            )
        }
        // The attempt's outcome typed: its kind (delivered, transient, permanent) and its reason apart, instead of
        // one "transient: HTTP 503" string split again on every read.
        migrator.registerMigration("v4: attempt reasons") { db in
            try db.execute(
                sql: """
                    ALTER TABLE attempts ADD COLUMN reason TEXT;
                    UPDATE attempts SET reason = substr(outcome, instr(outcome, ':') + 2), outcome = substr(outcome, 1, instr(outcome, ':') - 1)
                        WHERE instr(outcome, ':') > 0;
                    """
            )
        }
        return migrator
    }
}
