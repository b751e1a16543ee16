import AlertRelay
import Foundation
import GRDB
import Testing

@testable import AlertRelayStore

/// The real SQLite store in a temporary directory.
@Suite struct QueueStoreTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-store-\(UUID().uuidString).db").path
    let t0 = Date(timeIntervalSince1970: 1_795_980_600)
    let main = SinkAddress(receiver: "main", sink: "webhook_configs[0]")
    let mail = SinkAddress(receiver: "oncall", sink: "email_configs[0]")

    func notification(_ instance: String = "db1:9100", status: AlertStatus = .firing) -> AlertNotification {
        AlertNotification(
            status: status, groupKey: "{}:{alertname=\"DiskFull\"}",
            alerts: [Alert(status: status, labels: ["alertname": "DiskFull", "instance": instance], startsAt: Timestamp(seconds: 1_795_980_000))]
        )
    }

    func accepted(_ id: String, _ payload: AlertNotification, at time: Date, to addresses: [SinkAddress]? = nil, dedup: Bool = true) -> AcceptedNotification {
        let jobs = (addresses ?? [main]).map { NewJob(address: $0, payload: payload, dedupKey: dedup ? DedupKey.of(payload, for: $0, scope: "source:test") : nil) }
        return AcceptedNotification(id: id, receivedAt: time, source: "am", jobs: jobs, dedupWindow: .seconds(300))
    }

    /// An acknowledged webhook must survive a power loss: its commit is fsynced (GRDB's pool would otherwise
    /// leave the writer at NORMAL, which in WAL mode fsyncs only at checkpoints).
    @Test func enqueuesAreCommittedWithFullSynchronousEvenAfterBookkeepingWrites() async throws {
        let store = try QueueStore(path: path)
        #expect(try await store.writerSynchronous() == 2)
        _ = try await store.claimDue(now: Date(), allowances: [SinkAddress(receiver: "r", sink: "s"): 1])
        #expect(try await store.writerSynchronous() == 2)
    }

    @Test func aJobWhosePayloadCannotBeReadBackBecomesADeadLetterAndTheClaimGoesOn() async throws {
        let store = try QueueStore(path: path)
        let broken = NewJob(address: main, payload: notification(), dedupKey: nil, encodedPayload: Array("{not json".utf8))
        _ = try await store.enqueue(AcceptedNotification(id: "bad", receivedAt: t0, source: "am", jobs: [broken], dedupWindow: .seconds(300)))
        _ = try await store.enqueue(accepted("good", notification("db2:9100"), at: t0))
        let claimed = try await store.claimDue(now: t0, allowances: [main: 10])
        #expect(claimed.map(\.notificationID) == ["good"])
        let counts = try await store.counts()
        #expect(counts[.dead] == 1)
        #expect(counts[.delivering] == 1)
        let dead = try #require(try await store.jobs(state: .dead, receiver: nil, limit: 10, before: nil).first)
        #expect(dead.lastError?.hasPrefix("the stored payload cannot be read back") == true)
    }

    @Test func enqueuedJobsAreClaimedOnceAndFinished() async throws {
        let store = try QueueStore(path: path)
        #expect(try await store.enqueue(accepted("n1", notification(), at: t0, to: [main, mail])) == .accepted(jobs: 2, duplicates: 0))
        let claimed = try await store.claimDue(now: t0, allowances: [main: 5, mail: 5])
        #expect(claimed.map(\.address) == [main, mail])
        #expect(claimed.allSatisfy { $0.state == .delivering && $0.notificationID == "n1" && $0.payload == notification() })
        #expect(try await store.claimDue(now: t0, allowances: [main: 5, mail: 5]).isEmpty, "a claimed job is not claimed twice")

        let first = try #require(claimed.first)
        let attempt = Attempt(number: 1, startedAt: t0, duration: .milliseconds(12), outcome: .delivered(status: 200, response: "ok"))
        try await store.finish(jobID: first.id, attempt: attempt, transition: .delivered)
        let (job, attempts) = try #require(try await store.job(id: first.id))
        #expect(job.state == .delivered)
        #expect(job.attempts == 1)
        #expect(attempts == [Attempt(number: 1, startedAt: t0, duration: .milliseconds(12), outcome: .delivered(status: 200, response: "ok"))])
    }

    @Test func claimsOnlyDueJobsAndRespectsAllowances() async throws {
        let store = try QueueStore(path: path)
        for index in 0..<5 {
            _ = try await store.enqueue(accepted("n\(index)", notification("host\(index)"), at: t0))
        }
        #expect(try await store.claimDue(now: t0, allowances: [main: 2]).count == 2)
        #expect(try await store.claimDue(now: t0, allowances: [mail: 2]).isEmpty, "no jobs for that sink")
        let job = try #require(try await store.claimDue(now: t0, allowances: [main: 1]).first)
        try await store.finish(
            jobID: job.id, attempt: Attempt(number: 1, startedAt: t0, duration: .zero, outcome: .transient(reason: "HTTP 503", status: 503, response: "", retryAfter: nil)),
            transition: .retry(at: t0.addingTimeInterval(10), error: "HTTP 503")
        )
        #expect(try await store.nextDue() == t0)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(5), allowances: [main: 10]).count == 2, "the retried job is not due yet")
        #expect(try await store.nextDue() == t0.addingTimeInterval(10))
        let retried = try await store.claimDue(now: t0.addingTimeInterval(10), allowances: [main: 10])
        #expect(retried.map(\.id) == [job.id])
        #expect(retried.first?.attempts == 1)
        #expect(retried.first?.lastError == "HTTP 503")
    }

    @Test func deduplicatesWithinTheWindowPerSinkAndNotAfter() async throws {
        let store = try QueueStore(path: path)
        var fromPeer = notification()
        fromPeer.externalURL = "http://am-2:9093"  // an unclustered HA peer: same alerts, its own URL
        #expect(try await store.enqueue(accepted("n1", notification(), at: t0)) == .accepted(jobs: 1, duplicates: 0))
        #expect(try await store.enqueue(accepted("n2", fromPeer, at: t0.addingTimeInterval(30))) == .duplicate(of: "n1"))
        #expect(try await store.enqueue(accepted("n3", notification(), at: t0.addingTimeInterval(60), to: [main, mail])) == .accepted(jobs: 1, duplicates: 1))
        #expect(try await store.enqueue(accepted("n4", notification(status: .resolved), at: t0.addingTimeInterval(60))) == .accepted(jobs: 1, duplicates: 0))
        #expect(try await store.enqueue(accepted("n5", notification(), at: t0.addingTimeInterval(301))) == .accepted(jobs: 1, duplicates: 0), "after the window: a reminder goes through")
        #expect(try await store.enqueue(accepted("n6", notification(), at: t0.addingTimeInterval(302), dedup: false)) == .accepted(jobs: 1, duplicates: 0), "a test-fire bypasses dedup")
    }

    @Test func dedupAndJobsSurviveReopening() async throws {
        do {
            let store = try QueueStore(path: path)
            _ = try await store.enqueue(accepted("n1", notification(), at: t0))
            _ = try await store.claimDue(now: t0, allowances: [main: 1])
        }
        let reopened = try QueueStore(path: path)
        #expect(try await reopened.enqueue(accepted("n2", notification(), at: t0.addingTimeInterval(10))) == .duplicate(of: "n1"))
        #expect(try await reopened.recoverInterrupted(now: t0.addingTimeInterval(20)) == 1, "the job a dead process held is requeued")
        let again = try await reopened.claimDue(now: t0.addingTimeInterval(20), allowances: [main: 1])
        #expect(again.map(\.notificationID) == ["n1"])
    }

    @Test func concurrentEnqueuesAllCommit() async throws {
        let store = try QueueStore(path: path)
        try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
            for index in 0..<200 {
                group.addTask { try await store.enqueue(accepted("n\(index)", notification("host\(index)"), at: t0)) }
            }
            for try await result in group { #expect(result == .accepted(jobs: 1, duplicates: 0)) }
        }
        #expect(try await store.counts()[.pending] == 200)
    }

    @Test func deadLettersCanBeReplayedOrDropped() async throws {
        let store = try QueueStore(path: path)
        for index in 0..<3 {
            _ = try await store.enqueue(accepted("n\(index)", notification("h\(index)"), at: t0, to: [index == 2 ? mail : main]))
        }
        for job in try await store.claimDue(now: t0, allowances: [main: 5, mail: 5]) {
            try await store.finish(
                jobID: job.id, attempt: Attempt(number: 1, startedAt: t0, duration: .zero, outcome: .permanent(reason: "HTTP 404", status: 404, response: "no")),
                transition: .dead(error: "HTTP 404")
            )
        }
        #expect(try await store.counts()[.dead] == 3)
        let dead = try await store.jobs(state: .dead, receiver: nil, limit: 2, before: nil)
        #expect(dead.count == 2)
        let nextPage = try await store.jobs(state: .dead, receiver: nil, limit: 2, before: dead.last?.id)
        #expect(nextPage.count == 1)

        #expect(try await store.retryAll(state: .dead, receiver: "main", now: t0.addingTimeInterval(1)) == 2)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(1), allowances: [main: 5]).count == 2)
        let mailJob = try #require(try await store.jobs(state: .dead, receiver: "oncall", limit: 1, before: nil).first)
        #expect(try await store.retry(id: mailJob.id, now: t0.addingTimeInterval(2)))
        #expect(try await store.drop(id: mailJob.id))
        #expect(try await store.job(id: mailJob.id) == nil)
    }

    @Test func aResentNotificationWhoseDeliveryDiedIsNotADuplicate() async throws {
        let store = try QueueStore(path: path)
        _ = try await store.enqueue(accepted("n1", notification(), at: t0))
        let job = try #require(try await store.claimDue(now: t0, allowances: [main: 1]).first)
        let attempt = Attempt(number: 1, startedAt: t0, duration: .zero, outcome: .permanent(reason: "HTTP 400", status: 400, response: ""))
        try await store.finish(jobID: job.id, attempt: attempt, transition: .dead(error: "HTTP 400"))
        #expect(try await store.enqueue(accepted("n2", notification(), at: t0.addingTimeInterval(10))) == .accepted(jobs: 1, duplicates: 0))
        #expect(try await store.enqueue(accepted("n3", notification(), at: t0.addingTimeInterval(20))) == .duplicate(of: "n2"))
    }

    @Test func aMutedJobIsRecordedWithItsReasonNeverClaimedAndCanBeSentOnRequest() async throws {
        let store = try QueueStore(path: path)
        let muted = NewJob(address: main, payload: notification(), dedupKey: nil, mutedBecause: "muted by mute_time_intervals weekends at route.routes[1]")
        _ = try await store.enqueue(AcceptedNotification(id: "n1", receivedAt: t0, source: "am", jobs: [muted], dedupWindow: .seconds(300)))
        #expect(try await store.claimDue(now: t0.addingTimeInterval(3600), allowances: [main: 10]).isEmpty)
        let listed = try await store.jobs(state: .muted, receiver: nil, limit: 10, before: nil)
        #expect(listed.map(\.lastError) == ["muted by mute_time_intervals weekends at route.routes[1]"])
        #expect(try await store.counts()[.muted] == 1)
        let id = try #require(listed.first?.id)
        #expect(try await store.retry(id: id, now: t0))
        #expect(try await store.claimDue(now: t0, allowances: [main: 10]).map(\.id) == [id], "an operator can send it anyway")
    }

    @Test func pruningRemovesOldDeliveredJobsOnly() async throws {
        let store = try QueueStore(path: path)
        _ = try await store.enqueue(accepted("n1", notification("a"), at: t0))
        _ = try await store.enqueue(accepted("n2", notification("b"), at: t0))
        let job = try #require(try await store.claimDue(now: t0, allowances: [main: 1]).first)
        try await store.finish(jobID: job.id, attempt: Attempt(number: 1, startedAt: t0, duration: .zero, outcome: .delivered(status: 200, response: "")), transition: .delivered)
        #expect(try await store.prune(deliveredBefore: t0.addingTimeInterval(60), now: t0.addingTimeInterval(600)) == 1)
        #expect(try await store.counts()[.pending] == 1)
        #expect(try await store.enqueue(accepted("n3", notification("a"), at: t0.addingTimeInterval(600))) == .accepted(jobs: 1, duplicates: 0), "expired dedup entries are gone")
    }

    @Test func aReadOnlyStoreRefusesToEnqueueAndRecovers() async throws {
        let store = try QueueStore(path: path)
        try await store.setReadOnly(true)
        await #expect(throws: StoreError.self) { try await store.enqueue(accepted("n1", notification(), at: t0)) }
        await #expect(throws: StoreError.self) { try await store.checkWritable() }
        try await store.setReadOnly(false)
        #expect(try await store.enqueue(accepted("n1", notification(), at: t0)) == .accepted(jobs: 1, duplicates: 0))
    }
}

extension QueueStoreTests {
    /// A queue written before attempts kept their reason apart (`transient: HTTP 503` in one column) reads
    /// back typed after the upgrade, with nothing lost.
    @Test func attemptsRecordedBeforeTheUpgradeReadBackTyped() async throws {
        let old = try DatabaseQueue(path: path)
        try QueueStore.migrator.migrate(old, upTo: "v3: backlog-sized indexes")
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO jobs (id, notification_id, source, receiver, sink, state, attempts, created_at, next_attempt_at, updated_at, payload)
                        VALUES (1, 'n1', 'am', 'main', 'webhook_configs[0]', 'retrying', 2, 0, 0, 0, '{"version":"4","status":"firing","alerts":[]}');
                    INSERT INTO attempts (job_id, number, started_at, duration_ms, outcome, status, response) VALUES
                        (1, 1, 0, 5, 'transient: HTTP 503', 503, 'busy'), (1, 2, 10, 5, 'permanent: SMTP 550: no such user', 550, 'no');
                    """
            )
        }
        try old.close()
        let store = try QueueStore(path: path)
        let (_, attempts) = try #require(try await store.job(id: 1))
        #expect(attempts.map(\.outcome) == [
            .transient(reason: "HTTP 503", status: 503, response: "busy", retryAfter: nil),
            .permanent(reason: "SMTP 550: no such user", status: 550, response: "no"),
        ])
    }
}
