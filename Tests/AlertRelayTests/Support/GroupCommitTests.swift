import Synchronization
import Testing

@testable import AlertRelay

@Suite struct GroupCommitTests {
    /// A flush that takes a while, as an fsync does, and records the batches it was given.
    final class SlowFlush: Sendable {
        let batches = Mutex<[[Int]]>([])
        let failing = Mutex<Set<Int>>([])

        func flush(_ items: [Int]) async -> [Result<Int, any Error>] {
            batches.withLock { $0.append(items) }
            try? await Task.sleep(for: .milliseconds(20))
            let failing = failing.withLock { $0 }
            return items.map { failing.contains($0) ? .failure(Failure(item: $0)) : .success($0 * 10) }
        }

        struct Failure: Error, Equatable { var item: Int }
    }

    @Test func concurrentCallersShareFlushesAndEachGetsItsOwnResult() async throws {
        let slow = SlowFlush()
        let committer = GroupCommit<Int, Int>(flush: slow.flush)
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for item in 0..<100 {
                group.addTask { (item, try await committer.submit(item)) }
            }
            for try await (item, output) in group { #expect(output == item * 10) }
        }
        let batches = slow.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<100), "every item flushed exactly once")
        #expect(batches.count < 20, "100 concurrent callers shared a few flushes, not one each (\(batches.count))")
    }

    @Test func aFailureReachesOnlyItsCaller() async throws {
        let slow = SlowFlush()
        slow.failing.withLock { $0 = [3] }
        let committer = GroupCommit<Int, Int>(flush: slow.flush)
        await withTaskGroup(of: Void.self) { group in
            for item in 0..<6 {
                group.addTask {
                    if item == 3 {
                        await #expect(throws: SlowFlush.Failure(item: 3)) { try await committer.submit(item) }
                    } else {
                        #expect((try? await committer.submit(item)) == item * 10)
                    }
                }
            }
        }
    }

    @Test func aLeaderIsNotHeldBySteadyArrivals() async throws {
        // While callers keep arriving, the first one returns after its own flush, not when the arrivals stop
        // (the leader used to keep flushing for everyone who came after it).
        let slow = SlowFlush()
        let committer = GroupCommit<Int, Int>(flush: slow.flush)
        let submitted = Mutex(0)
        async let stream: Void = withThrowingTaskGroup(of: Void.self) { callers in
            try await Task.sleep(for: .milliseconds(2))
            for item in 1...100 {
                submitted.withLock { $0 += 1 }
                callers.addTask { _ = try await committer.submit(item) }
                try await Task.sleep(for: .milliseconds(5))
            }
            try await callers.waitForAll()
        }
        _ = try await committer.submit(0)
        let arrivedMeanwhile = submitted.withLock { $0 }
        try await stream
        #expect(arrivedMeanwhile < 100, "the first caller returned while others were still arriving")
    }
}
