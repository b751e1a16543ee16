import AlertRelay
import AlertRelayPostgres
import AlertRelayStore
import Foundation
import Logging
import PostgresNIO

/// Moves a one-machine queue (SQLite in a data directory) into the PostgreSQL database a configuration names:
/// every job still to deliver (pending, retrying, or delivering when the process stopped), the dead letters
/// and the muted jobs, each with its attempts, and the dedup entries still in their window. Delivered jobs stay
/// behind. The target must hold no job yet, so a copy run twice never doubles the queue.
public enum StoreCopy {
    public struct Summary: Sendable, CustomStringConvertible {
        public var jobs: [JobState: Int] = [:]
        public var dedupEntries = 0
        public var description: String {
            let states = JobState.allCases.compactMap { state in jobs[state].map { "\(state.rawValue) \($0)" } }
            return "copied \(jobs.values.reduce(0, +)) job(s) (\(states.isEmpty ? "none" : states.joined(separator: ", "))) and \(dedupEntries) dedup entr\(dedupEntries == 1 ? "y" : "ies")"
        }
    }

    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    public static func copy(from dataDirectory: URL, to location: PostgresLocation, logger: Logger, now: Date = Date()) async throws -> Summary {
        let path = dataDirectory.appendingPathComponent("queue.db").path
        guard FileManager.default.fileExists(atPath: path) else { throw Refused(description: "no queue at \(path)") }
        // Not while a relay runs on it: its lock would be taken.
        let lock = try DataDirectory(url: dataDirectory)
        defer { withExtendedLifetime(lock) {} }
        let source = try QueueStore(path: path)
        let settings = try PostgresSettings(location)
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await PostgresSchema.migrate(client, schema: settings.schema, logger: logger)
            let target = PostgresQueueStore(client: client, lease: settings.lease, logger: logger)
            guard try await target.isEmpty() else {
                throw Refused(description: "the PostgreSQL queue (\(settings.description)) already holds jobs: a copy goes only into an empty one")
            }
            var summary = Summary()
            for state in [JobState.pending, .retrying, .delivering, .dead, .muted] {
                var before: Int64?
                while true {
                    let page = try await source.jobs(state: state, receiver: nil, limit: 500, before: before)
                    for job in page {
                        let attempts = try await source.job(id: job.id)?.1 ?? []
                        try await target.importJob(job, attempts: attempts)
                        summary.jobs[job.state == .delivering ? .retrying : job.state, default: 0] += 1
                    }
                    guard let last = page.last, page.count == 500 else { break }
                    before = last.id
                }
            }
            for entry in try await source.dedupEntries(now: now) {
                try await target.importDedup(key: entry.key, notificationID: entry.notificationID, expiresAt: entry.expiresAt)
                summary.dedupEntries += 1
            }
            return summary
        }
    }
}
