import Foundation
import Logging
import Synchronization

/// Claims due jobs, hands them to their sinks, and records what came of each: delivered, retried later with
/// backoff, or dead. It respects each sink's concurrency and rate, and backs off a sink that keeps failing as a
/// whole instead of hammering it job by job. ``stop()`` stops claiming; jobs in flight finish.
public final class Dispatcher: Sendable {
    private struct State {
        var gates: [SinkAddress: SinkGate] = [:]
        var stopping = false
        /// What deliveries interrupted by a shutdown leave to write once they have all ended.
        var leftovers: [Leftover] = []

        var inFlight: Int { gates.values.reduce(0) { $0 + $1.inFlight } }
    }

    /// A delivery that ended while its task was cancelled, when the store refuses a cancelled task's writes.
    private enum Leftover {
        /// Its outcome is known (a sink that answered just before): recorded as usual.
        case finished(jobID: Int64, attempt: Attempt, transition: JobTransition)
        /// Cut off before the sink answered: back to the queue, delivered again (at least once).
        case interrupted(jobID: Int64)
    }

    let queue: any DeliveryQueue
    /// Replaced whole when the config is reloaded; a delivery in flight keeps the route it started with.
    private let routes: Mutex<[SinkAddress: ConfiguredSink]>
    /// The queue's: rung by the queue on every commit that makes a job due, and here when a delivery ends.
    public var doorbell: Doorbell { queue.doorbell }
    let now: @Sendable () -> Date
    let jitter: @Sendable () -> Double
    let idleWait: Duration
    let claimCoalescing: Duration
    /// After ``stop()``, how long deliveries in flight may take to finish before they are cut off and requeued.
    let drainTimeout: Duration
    let logger: Logger
    let metrics: RelayMetrics
    private let state = Mutex(State())

    public init(
        queue: any DeliveryQueue,
        routes: [SinkAddress: ConfiguredSink],
        now: @escaping @Sendable () -> Date = Date.init,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        idleWait: Duration = .seconds(1),
        claimCoalescing: Duration = .milliseconds(2),
        drainTimeout: Duration = .seconds(20),
        logger: Logger,
        metrics: RelayMetrics = RelayMetrics()
    ) {
        self.queue = queue
        self.routes = Mutex(routes)
        self.now = now
        self.jitter = jitter
        self.idleWait = idleWait
        self.claimCoalescing = claimCoalescing
        self.drainTimeout = drainTimeout
        self.logger = logger
        self.metrics = metrics
    }

    /// The sinks of a reloaded config. Jobs for a sink that is gone stay queued, unclaimed, until a config
    /// has it again (or an operator drops them); a sink that stays keeps its circuit-breaker state.
    /// - Returns: the sinks that are gone, with their kinds.
    @discardableResult
    public func replace(routes: [SinkAddress: ConfiguredSink]) -> [SinkAddress: String] {
        let old = self.routes.withLock { current in
            defer { current = routes }
            return current
        }
        doorbell.ring()
        return old.filter { routes[$0.key] == nil }.mapValues(\.sink.kind)
    }

    public var sinks: Set<SinkAddress> { Set(routes.withLock { $0.keys }) }

    /// Stop claiming jobs; the deliveries in flight get ``drainTimeout`` to finish, the rest are cut off and
    /// requeued, and ``run()`` returns.
    public func stop() {
        state.withLock { $0.stopping = true }
        doorbell.ring()
    }

    public func run() async throws {
        let recovered = try await queue.recoverInterrupted(now: now())
        metrics.requeuedAfterCrash(recovered)
        if recovered > 0 {
            logger.warning("Requeued deliveries a previous process left in flight", metadata: ["jobs": "\(recovered)"])
        }
        await withDiscardingTaskGroup { group in
            // Ends on a graceful stop and on cancellation alike (a listener that failed to start cancels every
            // service): once cancelled, every wait returns at once and every store call throws.
            while !state.withLock({ $0.stopping }), !Task.isCancelled {
                let jobs: [Job]
                let allowed = allowances(at: now())
                do {
                    jobs = try await queue.claimDue(now: now(), allowances: allowed)
                } catch {
                    if Task.isCancelled { break }
                    logger.error("Could not claim jobs from the store", metadata: ["error": "\(error)"])
                    await doorbell.wait(timeout: idleWait)
                    continue
                }
                let routes = self.routes.withLock { $0 }
                for job in jobs {
                    guard let route = routes[job.address] else {
                        // Its sink was removed by a reload between the claim and here: back to the queue.
                        group.addTask { await self.release(job) }
                        continue
                    }
                    started(job.address, limits: route.limits)
                    group.addTask { await self.deliver(job, route: route) }
                }
                // Fewer than allowed: the due jobs are drained (or no sink may take more), so wait for news
                // (an enqueue, a finished delivery) or the next due time, rather than claiming again at once.
                if jobs.count < allowed.values.reduce(0, +) || allowed.isEmpty {
                    await doorbell.wait(timeout: await waitTime())
                    // Let a burst of arrivals gather, so one claim takes many jobs instead of one each.
                    if claimCoalescing > .zero { try? await Task.sleep(for: claimCoalescing) }
                }
            }
            await drain()
            group.cancelAll()
        }
        await writeLeftovers()
        logger.info("Delivery workers stopped")
    }

    /// Waits, within ``drainTimeout``, for the deliveries in flight to finish.
    private func drain() async {
        let clock = ContinuousClock()
        let deadline = clock.now + drainTimeout
        while !Task.isCancelled, clock.now < deadline {
            let inFlight = state.withLock { $0.inFlight }
            if inFlight == 0 { return }
            await doorbell.wait(timeout: min(idleWait, deadline - clock.now))
        }
        let left = state.withLock { $0.inFlight }
        if left > 0 {
            logger.warning("Interrupting deliveries still in flight; they stay queued and are delivered again", metadata: ["jobs": "\(left)"])
        }
    }

    /// Records what the interrupted deliveries left. If this task is cancelled too, the store refuses and the
    /// jobs stay `delivering` on disk, requeued at the next start: at least once, never lost.
    private func writeLeftovers() async {
        let leftovers = state.withLock { state in
            defer { state.leftovers = [] }
            return state.leftovers
        }
        for leftover in leftovers {
            do {
                switch leftover {
                case .finished(let jobID, let attempt, let transition):
                    try await queue.finish(jobID: jobID, attempt: attempt, transition: transition)
                case .interrupted(let jobID):
                    try await queue.release(jobID: jobID, at: now(), reason: "interrupted by shutdown before the sink answered")
                }
            } catch {
                logger.warning("Could not record an interrupted delivery; it is requeued at the next start", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Puts back a claimed job whose sink the config no longer has; it waits for a config that has it.
    private func release(_ job: Job) async {
        do {
            try await queue.release(jobID: job.id, at: now().addingTimeInterval(60), reason: "sink not in the current configuration")
        } catch {
            logger.error("Could not give back a job whose sink is gone; it is requeued at the next start", metadata: ["delivery.id": "\(job.id)"])
        }
    }

    /// How long to sleep when nothing is due: until the next job is, within bounds.
    private func waitTime() async -> Duration {
        guard let next = try? await queue.nextDue() else { return idleWait }
        let seconds = next.timeIntervalSince(now())
        if seconds <= 0 { return .milliseconds(10) }
        return min(idleWait, .milliseconds(Int64(seconds * 1000) + 1))
    }

    private func allowances(at time: Date) -> [SinkAddress: Int] {
        let routes = self.routes.withLock { $0 }
        return state.withLock { state in
            var allowances: [SinkAddress: Int] = [:]
            for (address, route) in routes {
                let allowance = (state.gates[address] ?? SinkGate()).allowance(route.limits, at: time)
                if allowance > 0 { allowances[address] = allowance }
            }
            return allowances
        }
    }

    private func started(_ address: SinkAddress, limits: SinkLimits) {
        let time = now()
        state.withLock { $0.gates[address, default: SinkGate()].started(limits, at: time) }
    }

    private func deliver(_ job: Job, route: ConfiguredSink) async {
        let attemptNumber = job.attempts + 1
        let delivery = Delivery(
            jobID: job.id, notificationID: job.notificationID, source: job.source, acceptedAt: job.createdAt,
            receiver: job.address.receiver, notification: job.payload, attempt: attemptNumber
        )
        // The ids every line about this delivery carries, built only for a line that is logged (setting them on
        // the logger cost 3% of a delivery's instructions, logged or not).
        func ids(_ metadata: Logger.Metadata) -> Logger.Metadata {
            metadata.merging(
                ["delivery.id": "\(job.id)", "notification.id": "\(job.notificationID)", "sink": "\(job.address)", "attempt": "\(attemptNumber)"]
            ) { own, _ in own }
        }

        let startedAt = now()
        let clock = ContinuousClock()
        let begin = clock.now
        let outcome = await route.sink.deliver(delivery)
        if Task.isCancelled, !outcome.isDelivered {
            // Cut off by a shutdown: what the sink made of it is unknown, so it goes back to the queue.
            state.withLock { $0.leftovers.append(.interrupted(jobID: job.id)) }
            finished(job.address, outcome: nil, limits: route.limits, policy: route.policy, at: now())
            return
        }
        let attempt = Attempt(number: attemptNumber, startedAt: startedAt, duration: clock.now - begin, outcome: outcome)
        let finishedAt = now()
        let kind = route.sink.kind
        let sinceAccepted = Duration.milliseconds(Int64(finishedAt.timeIntervalSince(job.createdAt) * 1000))
        metrics.attempt(job.address, type: kind, outcome: outcome.kind, duration: attempt.duration)

        let transition: JobTransition
        switch outcome {
        case .delivered:
            transition = .delivered
            metrics.ended(job.address, type: kind, delivered: true, attempts: attemptNumber, sinceAccepted: sinceAccepted)
            logger.info("Delivered", metadata: ids(["status": "\(outcome.status.map(String.init) ?? "-")"]))
        case .permanent(let reason, _, _):
            transition = .dead(error: reason)
            metrics.ended(job.address, type: kind, delivered: false, attempts: attemptNumber, sinceAccepted: sinceAccepted)
            logger.error("Delivery failed permanently; dead letter", metadata: ids(["error": "\(reason)"]))
        case .transient(let reason, _, _, let retryAfter):
            switch route.policy.next(attempts: attemptNumber, age: sinceAccepted, retryAfter: retryAfter, unit: jitter()) {
            case .retry(let delay):
                let at = finishedAt.addingTimeInterval(delay.timeInterval)
                transition = .retry(at: at, error: reason)
                metrics.retried(job.address, type: kind)
                logger.warning("Delivery failed; will retry", metadata: ids(["error": "\(reason)", "retry.in": "\(delay)"]))
            case .giveUp(let why):
                transition = .dead(error: "\(reason); \(why)")
                metrics.ended(job.address, type: kind, delivered: false, attempts: attemptNumber, sinceAccepted: sinceAccepted)
                logger.error("Delivery failed; dead letter", metadata: ids(["error": "\(reason)", "reason": "\(why)"]))
            }
        }
        if Task.isCancelled {
            state.withLock { $0.leftovers.append(.finished(jobID: job.id, attempt: attempt, transition: transition)) }
        } else {
            await record(job, attempt: attempt, transition: transition)
        }
        finished(job.address, outcome: outcome, limits: route.limits, policy: route.policy, at: finishedAt)
        doorbell.ring()
    }

    /// Records an attempt, retrying while the store cannot be written (a full disk): the job is not claimed
    /// again meanwhile, and when space returns it moves on without a restart. If the process stops first, the
    /// job is still `delivering` on disk and is requeued at the next start: at least once, never lost.
    private func record(_ job: Job, attempt: Attempt, transition: JobTransition) async {
        var failures = 0
        while true {
            do {
                try await queue.finish(jobID: job.id, attempt: attempt, transition: transition)
                if failures > 0 { logger.notice("Recorded a delivery attempt once the store could be written again", metadata: ["failures": "\(failures)", "delivery.id": "\(job.id)"]) }
                return
            } catch {
                failures += 1
                if failures == 1 {
                    logger.error("Could not record a delivery attempt; retrying until the store can be written", metadata: ["error": "\(error)", "delivery.id": "\(job.id)"])
                }
                if state.withLock({ $0.stopping }) || Task.isCancelled { return }
                try? await Task.sleep(for: .milliseconds(min(5_000, 200 * failures)))
            }
        }
    }

    /// - Parameter outcome: `nil` for a delivery cut off by a shutdown: it frees its slot and says nothing of the sink.
    private func finished(_ address: SinkAddress, outcome: DeliveryOutcome?, limits: SinkLimits, policy: RetryPolicy, at time: Date) {
        let change = state.withLock { $0.gates[address, default: SinkGate()].finished(outcome, limits: limits, policy: policy, at: time) }
        switch change {
        case .opened(let failures):
            metrics.circuit(address, open: true)
            logger.warning("Sink keeps failing; backing it off as a whole", metadata: ["sink": "\(address)", "failures": "\(failures)"])
        case .closed:
            metrics.circuit(address, open: false)
            logger.notice("Sink answers again; circuit closed", metadata: ["sink": "\(address)"])
        case nil:
            break
        }
    }
}
