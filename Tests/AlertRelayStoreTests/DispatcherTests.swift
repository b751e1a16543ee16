import AlertRelay
import Foundation
import Logging
import Synchronization
import Testing

@testable import AlertRelayStore

/// A sink that answers from a script, recording each delivery and when it came. It stands where a remote
/// endpoint would; the sinks' own tests talk to real servers.
final class ScriptedSink: Sink {
    let script: Mutex<[DeliveryOutcome]>
    let log = Mutex<[(delivery: Delivery, at: ContinuousClock.Instant)]>([])
    let delay: Duration
    let otherwise: DeliveryOutcome

    init(_ script: [DeliveryOutcome] = [], otherwise: DeliveryOutcome = .delivered(status: 200, response: "ok"), delay: Duration = .zero) {
        self.script = Mutex(script)
        self.otherwise = otherwise
        self.delay = delay
    }

    var kind: String { "scripted" }

    func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        log.withLock { $0.append((delivery, ContinuousClock.now)) }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return script.withLock { $0.isEmpty ? otherwise : $0.removeFirst() }
    }

    var times: [ContinuousClock.Instant] { log.withLock { $0.map(\.at) } }
    var count: Int { log.withLock { $0.count } }
}

@Suite struct DispatcherTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-dispatch-\(UUID().uuidString).db").path
    let address = SinkAddress(receiver: "main", sink: "webhook_configs[0]")
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let fast = RetryPolicy(initialInterval: .milliseconds(50), multiplier: 2, maxInterval: .seconds(1), maxAge: .seconds(60))

    func enqueue(_ store: QueueStore, count: Int = 1) async throws {
        for index in 0..<count {
            let payload = AlertNotification(
                status: .firing, groupKey: "g",
                alerts: [Alert(status: .firing, labels: ["alertname": "A", "n": "\(index)"], startsAt: Timestamp(seconds: 1_795_980_000))]
            )
            _ = try await store.enqueue(
                AcceptedNotification(id: "n\(index)", receivedAt: Date(), source: "am", jobs: [NewJob(address: address, payload: payload, dedupKey: nil)], dedupWindow: .seconds(300))
            )
        }
    }

    /// Runs the dispatcher until `done` holds (or 10 s pass), then stops it and waits for it to return.
    func run(_ dispatcher: Dispatcher, until done: @escaping @Sendable () async throws -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await !done(), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            dispatcher.stop()
            try await group.waitForAll()
        }
    }

    func dispatcher(_ store: QueueStore, _ sink: ScriptedSink, limits: SinkLimits = SinkLimits(), policy: RetryPolicy? = nil) -> Dispatcher {
        Dispatcher(
            queue: store, routes: [address: .init(sink: sink, limits: limits, policy: policy ?? fast)],
            jitter: { 0.999 }, idleWait: .milliseconds(20), logger: logger
        )
    }

    @Test func retriesTransientFailuresWithGrowingBackoffUntilDelivered() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store)
        let sink = ScriptedSink([
            .transient(reason: "HTTP 503", status: 503, response: "busy", retryAfter: nil),
            .transient(reason: "HTTP 503", status: 503, response: "busy", retryAfter: nil),
        ])
        try await run(dispatcher(store, sink)) { try await store.counts()[.delivered] == 1 }
        let (job, attempts) = try #require(try await store.job(id: 1))
        #expect(job.state == .delivered)
        #expect(attempts.map(\.outcome.kind) == [.transient, .transient, .delivered])
        #expect(attempts.map(\.outcome.summary) == ["transient: HTTP 503", "transient: HTTP 503", "delivered"])
        #expect(attempts.first?.response == "busy")
        let times = sink.times
        #expect(times.count == 3)
        #expect(times[1] - times[0] >= .milliseconds(45), "first retry after about initial_interval")
        #expect(times[2] - times[1] >= .milliseconds(95), "then twice that: backoff, not a hot loop (the sink's clock and the queue's differ by a little)")
    }

    @Test func aPermanentFailureIsADeadLetterAtOnce() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store)
        let sink = ScriptedSink([.permanent(reason: "HTTP 404", status: 404, response: "no such hook")])
        try await run(dispatcher(store, sink)) { try await store.counts()[.dead] == 1 }
        let (job, attempts) = try #require(try await store.job(id: 1))
        #expect(job.state == .dead)
        #expect(job.lastError == "HTTP 404")
        #expect(attempts.count == 1)
        #expect(sink.count == 1)
    }

    @Test func honoursRetryAfter() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store)
        let sink = ScriptedSink([.transient(reason: "HTTP 429", status: 429, response: "", retryAfter: .milliseconds(400))])
        try await run(dispatcher(store, sink)) { try await store.counts()[.delivered] == 1 }
        let times = sink.times
        #expect(times.count == 2)
        #expect(times[1] - times[0] >= .milliseconds(399))
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store)
        var policy = fast
        policy.maxAttempts = 3
        policy.initialInterval = .milliseconds(5)
        let sink = ScriptedSink(otherwise: .transient(reason: "timeout", status: nil, response: "", retryAfter: nil))
        try await run(dispatcher(store, sink, policy: policy)) { try await store.counts()[.dead] == 1 }
        #expect(sink.count == 3)
        #expect(try await store.job(id: 1)?.0.lastError?.contains("max_attempts") == true)
    }

    @Test func backsOffASinkThatKeepsFailingAsAWhole() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store, count: 20)
        let sink = ScriptedSink(otherwise: .transient(reason: "connection refused", status: nil, response: "", retryAfter: nil))
        var policy = fast
        policy.initialInterval = .seconds(5)  // neither a job's retry nor the breaker's back-off ends during the test
        let dispatcher = dispatcher(store, sink, limits: SinkLimits(concurrency: 1, breakerThreshold: 3), policy: policy)
        let clock = ContinuousClock()
        let start = clock.now
        try await run(dispatcher) { clock.now - start > .milliseconds(500) }
        #expect(sink.count == 3, "after 3 consecutive failures the other 17 jobs wait for the sink to recover")
        #expect(try await store.counts()[.pending] == 17)
    }

    @Test func limitsTheRatePerSink() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store, count: 4)
        let sink = ScriptedSink()
        let dispatcher = dispatcher(store, sink, limits: SinkLimits(concurrency: 4, ratePerSecond: 10))
        try await run(dispatcher) { try await store.counts()[.delivered] == 4 }
        let times = sink.times
        // Four starts at most 10 per second span at least three intervals (less scheduling jitter); without
        // the limit they would all start at once.
        #expect(try #require(times.last) - times[0] >= .milliseconds(250))
    }

    @Test func aHighRateClaimsSeveralAtOnceButNeverStartsFasterThanTheRate() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store, count: 60)
        let sink = ScriptedSink()
        let dispatcher = dispatcher(store, sink, limits: SinkLimits(concurrency: 32, ratePerSecond: 200))
        try await run(dispatcher) { try await store.counts()[.delivered] == 60 }
        let times = sink.times
        // 60 starts at 200 a second, with at most a tenth of a second's worth (20) at once: the last starts at
        // least (60 - 20) / 200 s after the first.
        #expect(try #require(times.last) - times[0] >= .milliseconds(195))
    }

    @Test func stoppingLetsInFlightDeliveriesFinishAndLeavesTheRestQueued() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store, count: 5)
        let sink = ScriptedSink(delay: .milliseconds(300))
        let dispatcher = dispatcher(store, sink, limits: SinkLimits(concurrency: 2))
        try await run(dispatcher) { sink.count == 2 }
        let counts = try await store.counts()
        #expect(counts[.delivered] == 2, "the two in flight finished")
        #expect(counts[.pending] == 3)
        #expect(counts[.delivering] == 0)
    }
}

/// A queue whose store cannot be reached: every claim fails. It stops the dispatcher itself after `limit`
/// claims, so that a loop that never ends shows as a count, not as a hung test.
final class UnreachableQueue: DeliveryQueue {
    let claims = Atomic<Int>(0)
    let limit: Int
    let doorbell = Doorbell()
    let stop = Mutex<(@Sendable () -> Void)?>(nil)

    init(limit: Int = 200) { self.limit = limit }

    struct Unreachable: Error {}

    func enqueue(_ notification: AcceptedNotification) async throws -> EnqueueResult { throw Unreachable() }
    func recoverInterrupted(now: Date) async throws -> Int { 0 }
    func claimDue(now: Date, allowances: [SinkAddress: Int]) async throws -> [Job] {
        if claims.wrappingAdd(1, ordering: .relaxed).newValue >= limit { stop.withLock { $0 }?() }
        try Task.checkCancellation()
        throw Unreachable()
    }
    func finish(jobID: Int64, attempt: Attempt, transition: JobTransition) async throws {}
    func nextDue() async throws -> Date? { nil }
    func release(jobID: Int64, at: Date, reason: String) async throws {}
}

/// A sink that never answers until its delivery is cut off (an SMTP server that accepted the connection and
/// went silent), then reports the connection lost.
final class SilentSink: Sink {
    let entered = Atomic<Int>(0)
    var kind: String { "silent" }

    func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        entered.wrappingAdd(1, ordering: .relaxed)
        try? await Task.sleep(for: .seconds(3600))
        return .transient(reason: "connection failed: interrupted by shutdown", status: nil, response: "", retryAfter: nil)
    }
}

extension DispatcherTests {
    /// When the listener fails to start, the service group cancels the workers: they must end, not spin on a
    /// store that answers every call with a CancellationError (3.4 GB of log in 10 minutes, issue 13).
    @Test func endsWhenCancelledEvenWhileTheStoreFails() async throws {
        let queue = UnreachableQueue()
        let dispatcher = Dispatcher(queue: queue, routes: [:], idleWait: .seconds(1), logger: logger)
        queue.stop.withLock { $0 = { dispatcher.stop() } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await dispatcher.run() }
            while queue.claims.load(ordering: .relaxed) == 0 { await Task.yield() }
            group.cancelAll()
        }
        #expect(queue.claims.load(ordering: .relaxed) < 5, "claims after cancellation")
    }

    /// SIGTERM while a sink hangs: past the drain time the delivery is cut off, the workers return, and the job
    /// is back in the queue with no attempt counted, to be delivered after the restart.
    @Test(.timeLimit(.minutes(1)))
    func aShutdownCutsOffAHangingDeliveryAndLeavesItQueued() async throws {
        let store = try QueueStore(path: path)
        try await enqueue(store)
        let sink = SilentSink()
        let dispatcher = Dispatcher(
            queue: store, routes: [address: .init(sink: sink, limits: SinkLimits(), policy: fast)], idleWait: .milliseconds(20),
            drainTimeout: .zero, logger: logger
        )
        try await run(dispatcher) { sink.entered.load(ordering: .relaxed) == 1 }
        let (job, attempts) = try #require(try await store.job(id: 1))
        #expect(job.state == .retrying)
        #expect(job.attempts == 0)
        #expect(attempts.isEmpty)
        #expect(job.lastError?.contains("interrupted by shutdown") == true)
    }
}
