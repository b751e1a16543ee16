import AlertRelay
@testable import AlertRelayPostgres
import AlertRelayStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The queue's contract, once, run against every store: SQLite (one machine) and a real PostgreSQL (several
/// replicas). scripts/test.sh starts a private PostgreSQL cluster and sets ALERTRELAY_TEST_POSTGRES_URL; a
/// run without it skips the PostgreSQL cases and says so.
@Suite struct StoreConformanceTests {
    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static let postgresURL = ProcessInfo.processInfo.environment["ALERTRELAY_TEST_POSTGRES_URL"]
    static let kinds: [Kind] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    let t0 = Date(timeIntervalSince1970: 1_795_980_600)
    let main = SinkAddress(receiver: "main", sink: "webhook_configs[0]")
    let mail = SinkAddress(receiver: "oncall", sink: "email_configs[0]")

    // MARK: Fixtures

    /// A fresh, empty store of `kind`; for PostgreSQL, in a schema of its own, dropped afterwards. `replicas`
    /// stores share it (PostgreSQL only: SQLite is one process's).
    static func withStores(
        _ kind: Kind, replicas: Int = 1, lease: Duration = .seconds(120), owningSinks: Bool = false, _ body: ([any RelayStore]) async throws -> Void
    ) async throws {
        switch kind {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-conformance-\(UUID().uuidString).db").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try await body([try QueueStore(path: path)])
        case .postgres:
            let url = try #require(postgresURL)
            let schema = "conformance_\(UUID().uuidString.prefix(8).lowercased())"
            let settings = try PostgresSettings(url: url, schema: schema, tls: .disable, poolSize: 4, lease: lease)
            let clients = (0..<replicas).map { _ in PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in clients { group.addTask { await client.run() } }
                let stores = clients.map { PostgresQueueStore(client: $0, lease: lease, ownership: owningSinks ? settings : nil, logger: logger) }
                do {
                    try await PostgresSchema.migrate(clients[0], schema: schema, logger: logger)
                    try await body(stores)
                    for store in stores { await store.shutdown() }
                } catch {
                    for store in stores { await store.shutdown() }
                    _ = try? await clients[0].query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
                    group.cancelAll()
                    throw error
                }
                try await clients[0].query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
                group.cancelAll()
            }
        }
    }

    func notification(_ instance: String = "db1:9100", status: AlertStatus = .firing) -> AlertNotification {
        AlertNotification(
            status: status, groupKey: "{}:{alertname=\"DiskFull\"}",
            alerts: [Alert(status: status, labels: ["alertname": "DiskFull", "instance": instance], startsAt: Timestamp(seconds: 1_795_980_000))]
        )
    }

    func accepted(_ id: String, _ payload: AlertNotification, at time: Date, to addresses: [SinkAddress]? = nil, dedup: Bool = true) -> AcceptedNotification {
        let jobs = (addresses ?? [main]).map { NewJob(address: $0, payload: payload, dedupKey: dedup ? DedupKey.of(payload, for: $0, scope: "source:am") : nil) }
        return AcceptedNotification(id: id, receivedAt: time, source: "am", jobs: jobs, dedupWindow: .seconds(300))
    }

    func attempt(_ number: Int, _ outcome: DeliveryOutcome, at time: Date) -> Attempt {
        Attempt(number: number, startedAt: time, duration: .milliseconds(12), outcome: outcome)
    }

    // MARK: The contract

    @Test(arguments: kinds)
    func anAcceptedNotificationIsClaimedDeliveredAndRecorded(_ kind: Kind) async throws {
        try await Self.withStores(kind) { (stores: [any RelayStore]) async throws in
            let store = stores[0]
            #expect(try await store.enqueue(accepted("n1", notification(), at: t0, to: [main, mail])) == .accepted(jobs: 2, duplicates: 0))
            #expect(try await store.counts()[.pending] == 2)
            let claimed = try await store.claimDue(now: t0, allowances: [main: 5])
            #expect(claimed.map(\.address) == [main])
            #expect(claimed.first?.payload == notification())
            #expect(claimed.first?.notificationID == "n1")
            let job = try #require(claimed.first)
            try await store.finish(jobID: job.id, attempt: attempt(1, .delivered(status: 200, response: "ok"), at: t0), transition: .delivered)
            let (stored, attempts) = try #require(try await store.job(id: job.id))
            #expect(stored.state == .delivered && stored.attempts == 1)
            #expect(attempts.map(\.outcome) == [.delivered(status: 200, response: "ok")])
            #expect(try await store.counts()[.delivered] == 1)
            #expect(try await store.waitingBySink() == [mail: 1])
        }
    }

    @Test(arguments: kinds)
    func theSameNotificationWithinTheWindowIsADuplicateAndAfterItIsNot(_ kind: Kind) async throws {
        try await Self.withStores(kind) { (stores: [any RelayStore]) async throws in
            let store = stores[0]
            #expect(try await store.enqueue(accepted("n1", notification(), at: t0)) == .accepted(jobs: 1, duplicates: 0))
            #expect(try await store.enqueue(accepted("n2", notification(), at: t0.addingTimeInterval(60))) == .duplicate(of: "n1"))
            #expect(try await store.firstAcceptance(of: accepted("n3", notification(), at: t0).jobs, at: t0.addingTimeInterval(60)) == "n1")
            #expect(try await store.enqueue(accepted("n4", notification("db2:9100"), at: t0.addingTimeInterval(60))) == .accepted(jobs: 1, duplicates: 0))
            #expect(try await store.enqueue(accepted("n5", notification(), at: t0.addingTimeInterval(301))) == .accepted(jobs: 1, duplicates: 0))
        }
    }

    @Test(arguments: kinds)
    func aReSendAfterADeadDeliveryIsNotADuplicate(_ kind: Kind) async throws {
        try await Self.withStores(kind) { (stores: [any RelayStore]) async throws in
            let store = stores[0]
            _ = try await store.enqueue(accepted("n1", notification(), at: t0))
            let job = try #require(try await store.claimDue(now: t0, allowances: [main: 1]).first)
            try await store.finish(
                jobID: job.id, attempt: attempt(1, .permanent(reason: "HTTP 400", status: 400, response: "no"), at: t0), transition: .dead(error: "HTTP 400")
            )
            #expect(try await store.enqueue(accepted("n2", notification(), at: t0.addingTimeInterval(10))) == .accepted(jobs: 1, duplicates: 0))
        }
    }

    @Test(arguments: kinds)
    func claimsTakeDueJobsOldestFirstWithinEachSinksAllowance(_ kind: Kind) async throws {
        try await Self.withStores(kind) { (stores: [any RelayStore]) async throws in
            let store = stores[0]
            for index in 0..<5 { _ = try await store.enqueue(accepted("n\(index)", notification("db\(index)"), at: t0.addingTimeInterval(Double(index)))) }
            #expect(try await store.claimDue(now: t0.addingTimeInterval(2), allowances: [main: 10]).map(\.notificationID) == ["n0", "n1", "n2"])
            #expect(try await store.claimDue(now: t0.addingTimeInterval(10), allowances: [main: 1]).map(\.notificationID) == ["n3"])
            #expect(try await store.claimDue(now: t0.addingTimeInterval(10), allowances: [mail: 5]).isEmpty)
            #expect(try await store.counts()[.delivering] == 4)
        }
    }

    @Test(arguments: kinds)
    func aRetryWaitsItsTurnAndADeadLetterIsReplayedByAnOperator(_ kind: Kind) async throws {
        try await Self.withStores(kind) { (stores: [any RelayStore]) async throws in
            let store = stores[0]
            _ = try await store.enqueue(accepted("n1", notification(), at: t0))
            let job = try #require(try await store.claimDue(now: t0, allowances: [main: 1]).first)
            let later = t0.addingTimeInterval(30)
            try await store.finish(
                jobID: job.id, attempt: attempt(1, .transient(reason: "HTTP 503", status: 503, response: "busy", retryAfter: nil), at: t0),
                transition: .retry(at: later, error: "HTTP 503")
            )
            #expect(try await store.claimDue(now: t0.addingTimeInterval(29), allowances: [main: 1]).isEmpty)
            #expect(try await store.nextDue() == later)
            let again = try #require(try await store.claimDue(now: later, allowances: [main: 1]).first)
            #expect(again.attempts == 1 && again.lastError == "HTTP 503")
            try await store.finish(jobID: again.id, attempt: attempt(2, .permanent(reason: "HTTP 400", status: 400, response: ""), at: later), transition: .dead(error: "HTTP 400"))
            #expect(try await store.jobs(state: .dead, receiver: nil, limit: 10, before: nil).map(\.id) == [job.id])
            #expect(try await store.retryAll(state: .dead, receiver: "main", now: later) == 1)
            #expect(try await store.claimDue(now: later, allowances: [main: 1]).map(\.id) == [job.id])
        }
    }

    @Test(arguments: kinds)
    func mutedJobsAreRecordedNeverClaimedAndCanBeSentByHand(_ kind: Kind) async throws {
        try await Self.withStores(kind) { (stores: [any RelayStore]) async throws in
            let store = stores[0]
            var item = accepted("n1", notification(), at: t0, dedup: false)
            item.jobs[0].mutedBecause = "mute_time_intervals: weekend"
            _ = try await store.enqueue(item)
            #expect(try await store.claimDue(now: t0, allowances: [main: 1]).isEmpty)
            let muted = try #require(try await store.jobs(state: .muted, receiver: nil, limit: 10, before: nil).first)
            #expect(muted.lastError == "mute_time_intervals: weekend")
            #expect(try await store.retry(id: muted.id, now: t0))
            #expect(try await store.claimDue(now: t0, allowances: [main: 1]).map(\.id) == [muted.id])
        }
    }

    @Test(arguments: kinds)
    func listingPagesDroppingAndPruning(_ kind: Kind) async throws {
        try await Self.withStores(kind) { (stores: [any RelayStore]) async throws in
            let store = stores[0]
            for index in 0..<4 { _ = try await store.enqueue(accepted("n\(index)", notification("db\(index)"), at: t0)) }
            let first = try await store.jobs(state: nil, receiver: "main", limit: 3, before: nil)
            #expect(first.count == 3)
            #expect(try await store.jobs(state: nil, receiver: "main", limit: 3, before: first.last?.id).count == 1)
            #expect(try await store.jobs(state: nil, receiver: nil, notification: "n2", limit: 10, before: nil).map(\.notificationID) == ["n2"])
            #expect(try await store.drop(id: first[0].id))
            #expect(!(try await store.drop(id: first[0].id)))
            let job = try #require(try await store.claimDue(now: t0, allowances: [main: 1]).first)
            #expect(!(try await store.drop(id: job.id)), "a job being delivered is not dropped")
            try await store.finish(jobID: job.id, attempt: attempt(1, .delivered(status: 200, response: ""), at: t0), transition: .delivered)
            #expect(try await store.prune(deliveredBefore: t0.addingTimeInterval(1), now: t0.addingTimeInterval(1000)) == 1)
            #expect(try await store.job(id: job.id) == nil)
            #expect(try await store.oldestWaiting() == t0)
            try await store.checkWritable()
        }
    }

    // MARK: Shared by replicas (PostgreSQL)

    @Test(.enabled(if: postgresURL != nil, "needs ALERTRELAY_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"))
    func twoReplicasClaimingAtOnceTakeDifferentJobs() async throws {
        try await Self.withStores(.postgres, replicas: 2) { (stores: [any RelayStore]) async throws in
            for index in 0..<40 { _ = try await stores[0].enqueue(accepted("n\(index)", notification("db\(index)"), at: t0)) }
            async let a = stores[0].claimDue(now: t0, allowances: [main: 25])
            async let b = stores[1].claimDue(now: t0, allowances: [main: 25])
            let (left, right) = try await (a, b)
            #expect(left.count + right.count == 40)
            #expect(Set(left.map(\.id)).isDisjoint(with: right.map(\.id)))
        }
    }

    @Test(.enabled(if: postgresURL != nil, "needs ALERTRELAY_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"))
    func aJobADeadReplicaHeldIsDeliveredByAnotherOnceItsLeaseEnds() async throws {
        try await Self.withStores(.postgres, replicas: 2, lease: .seconds(60)) { (stores: [any RelayStore]) async throws in
            _ = try await stores[0].enqueue(accepted("n1", notification(), at: t0))
            let held = try #require(try await stores[0].claimDue(now: t0, allowances: [main: 1]).first)
            #expect(try await stores[1].claimDue(now: t0.addingTimeInterval(59), allowances: [main: 1]).isEmpty, "leased")
            #expect(try await stores[1].nextDue() == t0.addingTimeInterval(60))
            let taken = try #require(try await stores[1].claimDue(now: t0.addingTimeInterval(60), allowances: [main: 1]).first)
            #expect(taken.id == held.id)
            // The first replica comes back late: its finish changes nothing, the second's counts.
            try await stores[0].finish(jobID: held.id, attempt: attempt(1, .delivered(status: 200, response: "late"), at: t0), transition: .delivered)
            #expect(try await stores[1].job(id: held.id)?.0.state == .delivering)
            try await stores[1].finish(jobID: taken.id, attempt: attempt(1, .delivered(status: 200, response: "ok"), at: t0), transition: .delivered)
            let (job, attempts) = try #require(try await stores[0].job(id: held.id))
            #expect(job.state == .delivered)
            #expect(attempts.map(\.response) == ["ok"])
        }
    }

    @Test(.enabled(if: postgresURL != nil, "needs ALERTRELAY_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"))
    func anHAPairPostingToTwoReplicasAtOnceIsAcceptedOnce() async throws {
        try await Self.withStores(.postgres, replicas: 2) { (stores: [any RelayStore]) async throws in
            for round in 0..<20 {
                let payload = notification("db\(round)")
                async let a = stores[0].enqueue(accepted("a\(round)", payload, at: t0))
                async let b = stores[1].enqueue(accepted("b\(round)", payload, at: t0))
                let results = try await [a, b]
                #expect(results.filter { if case .accepted(1, _) = $0 { true } else { false } }.count == 1, "\(results)")
            }
            #expect(try await stores[0].counts()[.pending] == 20)
        }
    }

    /// One replica at a time delivers for a sink, so its limits hold for the cluster; when the owner's
    /// connection goes (the replica died), another takes the sink over.
    @Test(.enabled(if: postgresURL != nil, "needs ALERTRELAY_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"))
    func oneReplicaDeliversForASinkAndAnotherTakesOverWhenItGoes() async throws {
        try await Self.withStores(.postgres, replicas: 2, owningSinks: true) { (stores: [any RelayStore]) async throws in
            for index in 0..<6 { _ = try await stores[0].enqueue(accepted("n\(index)", notification("db\(index)"), at: t0)) }
            let owner = try await stores[0].claimDue(now: t0, allowances: [main: 2])
            #expect(owner.count == 2)
            #expect(try await stores[1].claimDue(now: t0, allowances: [main: 2]).isEmpty, "the sink is the other replica's")
            // The owner's session ends, as when its process is killed: its advisory locks go with it.
            let postgres = try #require(stores[0] as? PostgresQueueStore)
            let schema = try #require(try await postgres.client.query("SELECT current_schema()", logger: Self.logger).collect().first?.decode(String.self))
            let key = UInt64(bitPattern: SinkOwnership.key(main, namespace: schema))
            let (high, low) = (Int64(key >> 32), Int64(key & 0xffff_ffff))
            let ended = try await postgres.client.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND classid::bigint = \(high) AND objid::bigint = \(low) AND objsubid = 1
                """, logger: Self.logger
            ).collect()
            #expect(ended.count == 1, "the owner's session")
            try await Task.sleep(for: .milliseconds(1100))  // a replica asks again for a sink it lacks once a second
            #expect(try await stores[1].claimDue(now: t0, allowances: [main: 2]).count == 2, "taken over")
        }
    }

    /// A signed request accepted by one replica is a replay at the other; one being written is "retry
    /// shortly"; a failed write frees its key; a key lasts its window.
    @Test(.enabled(if: postgresURL != nil, "needs ALERTRELAY_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"))
    func replayKeysAreSharedByTheReplicas() async throws {
        try await Self.withStores(.postgres, replicas: 2) { (stores: [any RelayStore]) async throws in
            let a = PostgresReplayLedger(client: try #require(stores[0] as? PostgresQueueStore).client, logger: Self.logger)
            let b = PostgresReplayLedger(client: try #require(stores[1] as? PostgresQueueStore).client, logger: Self.logger)
            #expect(try await a.reserve("am/msg_1", window: .seconds(300), now: t0) == .fresh)
            #expect(try await b.reserve("am/msg_1", window: .seconds(300), now: t0) == .inFlight)
            await a.commit("am/msg_1", id: "n1")
            #expect(try await b.reserve("am/msg_1", window: .seconds(300), now: t0.addingTimeInterval(299)) == .duplicate(of: "n1"))
            #expect(try await b.reserve("am/msg_1", window: .seconds(300), now: t0.addingTimeInterval(300)) == .fresh, "past its window")
            #expect(try await a.reserve("am/msg_2", window: .seconds(300), now: t0) == .fresh)
            await a.release("am/msg_2")
            #expect(try await b.reserve("am/msg_2", window: .seconds(300), now: t0) == .fresh, "a failed write frees the key")
        }
    }

    @Test(.enabled(if: postgresURL != nil, "needs ALERTRELAY_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"))
    func aReplicaOlderThanTheSchemaRefusesToStart() async throws {
        let url = try #require(Self.postgresURL)
        let schema = "conformance_\(UUID().uuidString.prefix(8).lowercased())"
        let settings = try PostgresSettings(url: url, schema: schema, tls: .disable, poolSize: 2)
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await PostgresSchema.migrate(client, schema: schema, logger: Self.logger)
            try await PostgresSchema.migrate(client, schema: schema, logger: Self.logger)  // again: nothing to do
            try await client.query(PostgresQuery(unsafeSQL: "UPDATE \(schema).schema_version SET version = version + 1"), logger: Self.logger)
            await #expect(throws: PostgresSchema.Mismatch.self) { try await PostgresSchema.migrate(client, schema: schema, logger: Self.logger) }
            try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: Self.logger)
        }
    }

    /// A database that stops answering (its process frozen, as behind a partition that drops packets rather
    /// than closing connections): an enqueue gives up at its bound, so the webhook is answered 503 and the sender
    /// keeps it, and once the database answers again the store works on a new connection, without a restart.
    /// PostgresNIO's own queries ignore cancellation: before the store bounded them, this enqueue waited until
    /// the database came back, holding every webhook behind it in the group commit.
    @Test(.enabled(if: postgresURL != nil, "needs ALERTRELAY_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)"))
    func anEnqueueGivesUpOnADatabaseThatStopsAnsweringAndTheStoreRecovers() async throws {
        let url = try #require(Self.postgresURL)
        let schema = "conformance_\(UUID().uuidString.prefix(8).lowercased())"
        let settings = try PostgresSettings(url: url, schema: schema, tls: .disable, poolSize: 1)
        var configuration = settings.clientConfiguration
        configuration.options.additionalStartupParameters.removeAll { $0.0 == "application_name" }
        configuration.options.additionalStartupParameters.append(("application_name", schema))
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.logger)
        let probe = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            group.addTask { await probe.run() }
            defer { group.cancelAll() }
            try await PostgresSchema.migrate(client, schema: schema, logger: Self.logger)
            let store = PostgresQueueStore(client: client, logger: Self.logger)
            #expect(try await store.enqueue(accepted("n1", notification("db1"), at: t0)) == .accepted(jobs: 1, duplicates: 0))
            let backends = try await probe.query("SELECT pid FROM pg_stat_activity WHERE application_name = \(schema)", logger: Self.logger)
                .collect().map { try $0.decode(Int32.self) }
            try #require(backends.count == 1, "the store's one connection")
            for pid in backends { kill(pid, SIGSTOP) }
            let outcome = await withTaskGroup(of: String?.self) { race in
                race.addTask {
                    do {
                        return "answered \(try await store.enqueue(self.accepted("n2", self.notification("db2"), at: self.t0)))"
                    } catch {
                        return "\(error)"
                    }
                }
                race.addTask {
                    try? await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = await race.next() ?? nil
                for pid in backends { kill(pid, SIGCONT) }  // a hung enqueue ends once the database answers
                race.cancelAll()
                return first
            }
            let error = try #require(outcome, "the enqueue still waited 10 s after the database stopped answering")
            #expect(error.contains("did not answer within 2"), "given up at its bound, not answered: \(error)")
            #expect(try await store.enqueue(accepted("n3", notification("db3"), at: t0)) == .accepted(jobs: 1, duplicates: 0), "recovered")
            try await probe.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: Self.logger)
        }
    }
}
