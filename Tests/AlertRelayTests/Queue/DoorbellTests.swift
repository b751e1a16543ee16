import Foundation
import Synchronization
import Testing

@testable import AlertRelay

/// The delivery loop's wake-up: a ring (a job queued, a delivery finished) ends its wait early; otherwise the
/// wait ends at its timeout. Time is a manual clock, so no test sleeps and none depends on the machine's speed.
@Suite(.timeLimit(.minutes(1)))
struct DoorbellTests {
    /// A clock that moves only when the test advances it. Sleepers park until their deadline is reached (or
    /// their task is cancelled); the test can wait until a given number of them are parked.
    final class ManualClock: Clock {
        struct Instant: InstantProtocol, CustomStringConvertible {
            var offset: Swift.Duration

            func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
            func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
            static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
            var description: String { "t+\(offset)" }
        }

        private struct Sleeper: Sendable {
            var id: Int
            var deadline: Instant
            var continuation: CheckedContinuation<Void, any Error>
        }

        private struct Watcher: Sendable {
            var id: Int
            var count: Int
            var continuation: CheckedContinuation<Void, Never>
        }

        private struct State: Sendable {
            var now = Instant(offset: .zero)
            var nextID = 0
            var sleepers: [Sleeper] = []
            var watchers: [Watcher] = []
        }

        private enum Start: Sendable {
            case cancelled, due, parked([Watcher])
        }

        private let state = Mutex(State())

        var now: Instant { state.withLock { $0.now } }
        var minimumResolution: Swift.Duration { .zero }
        var pendingSleepers: Int { state.withLock { $0.sleepers.count } }

        private func makeID() -> Int {
            state.withLock { state in
                state.nextID += 1
                return state.nextID
            }
        }

        func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
            let id = makeID()
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let start = state.withLock { state -> Start in
                        if Task.isCancelled { return .cancelled }
                        if deadline <= state.now { return .due }
                        state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                        let parked = state.sleepers.count
                        let satisfied = state.watchers.filter { $0.count <= parked }
                        state.watchers.removeAll { $0.count <= parked }
                        return .parked(satisfied)
                    }
                    switch start {
                    case .cancelled: continuation.resume(throwing: CancellationError())
                    case .due: continuation.resume()
                    case .parked(let satisfied): for watcher in satisfied { watcher.continuation.resume() }
                    }
                }
            } onCancel: {
                let sleeper = state.withLock { state -> Sleeper? in
                    guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.sleepers.remove(at: index)
                }
                sleeper?.continuation.resume(throwing: CancellationError())
            }
        }

        /// Moves time forward and wakes every sleeper whose deadline is reached.
        func advance(by duration: Swift.Duration) {
            let due = state.withLock { state -> [Sleeper] in
                state.now = state.now.advanced(by: duration)
                let now = state.now
                let due = state.sleepers.filter { $0.deadline <= now }
                state.sleepers.removeAll { $0.deadline <= now }
                return due
            }
            for sleeper in due { sleeper.continuation.resume() }
        }

        /// Returns once at least `count` sleepers are parked (or the test is cancelled by its time limit).
        func waitForSleepers(_ count: Int) async {
            let id = makeID()
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        if state.sleepers.count >= count || Task.isCancelled { return true }
                        state.watchers.append(Watcher(id: id, count: count, continuation: continuation))
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                let watcher = state.withLock { state -> Watcher? in
                    guard let index = state.watchers.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.watchers.remove(at: index)
                }
                watcher?.continuation.resume()
            }
        }
    }

    static func instant(_ seconds: Int64) -> ManualClock.Instant { ManualClock.Instant(offset: .seconds(seconds)) }

    /// Waits on the doorbell and says when, on the manual clock, the wait returned.
    static func waitNoting(_ doorbell: Doorbell, timeout: Duration, clock: ManualClock) async -> ManualClock.Instant {
        await doorbell.wait(timeout: timeout, clock: clock)
        return clock.now
    }

    @Test func aRingBeforeTheWaitEndsTheNextWaitAtOnceAndOnlyThatOne() async {
        let doorbell = Doorbell()
        let clock = ManualClock()
        doorbell.ring()
        doorbell.ring()  // two rings while nobody waits wake one wait, not two

        // Returns without the clock moving: if the ring were lost, this would wait for a clock that never moves.
        await doorbell.wait(timeout: .seconds(10), clock: clock)
        #expect(clock.now == Self.instant(0))

        async let second = Self.waitNoting(doorbell, timeout: .seconds(10), clock: clock)
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(9))
        #expect(clock.pendingSleepers == 1, "9 s into a 10 s timeout the second wait is still parked")
        clock.advance(by: .seconds(1))
        #expect(await second == Self.instant(10), "the second wait ended at its timeout, not at once")
    }

    @Test func aWaitReturnsWhenRungFromAnotherTask() async {
        let doorbell = Doorbell()
        let clock = ManualClock()
        async let woken = Self.waitNoting(doorbell, timeout: .seconds(60), clock: clock)
        await clock.waitForSleepers(1)  // the wait is parked on its timeout
        await Task.detached { doorbell.ring() }.value
        #expect(await woken == Self.instant(0), "the ring, not the timeout, ended the wait")
        #expect(clock.pendingSleepers == 0, "the wait leaves no timer behind")

        // The ring was spent on that wait: the next one waits for its own timeout.
        async let next = Self.waitNoting(doorbell, timeout: .seconds(5), clock: clock)
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(5))
        #expect(await next == Self.instant(5))
    }

    @Test func aWaitWithoutARingReturnsAfterItsTimeout() async {
        let doorbell = Doorbell()
        let clock = ManualClock()
        async let returned = Self.waitNoting(doorbell, timeout: .seconds(30), clock: clock)
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(29))
        #expect(clock.pendingSleepers == 1, "29 s into a 30 s timeout the wait is still parked")
        clock.advance(by: .seconds(1))
        #expect(await returned == Self.instant(30))
    }
}
