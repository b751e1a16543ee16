import Foundation
import Testing

@testable import AlertRelay

/// The admission rules of one sink, with the time passed in: concurrency, rate, and the circuit breaker.
@Suite struct SinkGateTests {
    let t0 = Date(timeIntervalSince1970: 1_795_980_000)
    let policy = RetryPolicy(initialInterval: .seconds(1), multiplier: 2, maxInterval: .seconds(30), maxAge: .seconds(3600))
    let busy = DeliveryOutcome.transient(reason: "HTTP 503", status: 503, response: "", retryAfter: nil)

    @Test func concurrencyBoundsTheDeliveriesInFlight() {
        var gate = SinkGate()
        let limits = SinkLimits(concurrency: 2)
        #expect(gate.allowance(limits, at: t0) == 2)
        gate.started(limits, at: t0)
        gate.started(limits, at: t0)
        #expect(gate.allowance(limits, at: t0) == 0)
        _ = gate.finished(.delivered(status: 200, response: ""), limits: limits, policy: policy, at: t0)
        #expect(gate.allowance(limits, at: t0) == 1)
    }

    @Test(arguments: [(1.0, 1), (10.0, 1), (100.0, 10), (1000.0, 100)])
    func aRateLimitedSinkGetsATenthOfASecondsWorthAtOnceAndNoFaster(_ example: (rate: Double, burst: Int)) {
        var gate = SinkGate()
        let limits = SinkLimits(concurrency: 10_000, ratePerSecond: example.rate)
        #expect(gate.allowance(limits, at: t0) == example.burst)
        for _ in 0..<example.burst { gate.started(limits, at: t0) }
        #expect(gate.allowance(limits, at: t0) == 0, "the burst is spent")
        // Over one second, the starts allowed add up to the rate (within one burst).
        var started = example.burst
        for step in 1...100 {
            let time = t0.addingTimeInterval(Double(step) / 100)
            let allowance = gate.allowance(limits, at: time)
            for _ in 0..<allowance { gate.started(limits, at: time) }
            started += allowance
        }
        #expect(abs(Double(started) - example.rate) <= Double(example.burst) + 1, "\(started) starts in one second")
    }

    @Test func anIdleHourIsNotOwedAnHoursWorth() {
        var gate = SinkGate()
        let limits = SinkLimits(concurrency: 10_000, ratePerSecond: 50)
        gate.started(limits, at: t0)
        #expect(gate.allowance(limits, at: t0.addingTimeInterval(3600)) == SinkGate.burst(50))
    }

    @Test func theBreakerOpensAfterTheThresholdBacksOffGrowingAndProbesOneAtATime() {
        var gate = SinkGate()
        let limits = SinkLimits(concurrency: 8, breakerThreshold: 3)
        var changes: [SinkGate.BreakerChange?] = []
        for _ in 0..<3 {
            gate.started(limits, at: t0)
            changes.append(gate.finished(busy, limits: limits, policy: policy, at: t0))
        }
        #expect(changes == [nil, nil, .opened(failures: 3)])
        #expect(gate.allowance(limits, at: t0.addingTimeInterval(0.999)) == 0, "backed off for the initial interval")
        #expect(gate.allowance(limits, at: t0.addingTimeInterval(1)) == 1, "then one probe")
        gate.started(limits, at: t0.addingTimeInterval(1))
        #expect(gate.allowance(limits, at: t0.addingTimeInterval(1)) == 0, "one probe at a time")
        #expect(gate.finished(busy, limits: limits, policy: policy, at: t0.addingTimeInterval(1)) == nil, "still open: no new opening")
        #expect(gate.allowance(limits, at: t0.addingTimeInterval(2.999)) == 0, "the back-off doubled")
        gate.started(limits, at: t0.addingTimeInterval(3))
        #expect(gate.finished(.delivered(status: 200, response: ""), limits: limits, policy: policy, at: t0.addingTimeInterval(3)) == .closed)
        #expect(gate.allowance(limits, at: t0.addingTimeInterval(3)) == 8)
    }

    @Test func aPermanentFailureOrAnInterruptionDoesNotOpenTheBreaker() {
        var gate = SinkGate()
        let limits = SinkLimits(concurrency: 1, breakerThreshold: 1)
        gate.started(limits, at: t0)
        #expect(gate.finished(.permanent(reason: "HTTP 400", status: 400, response: ""), limits: limits, policy: policy, at: t0) == nil)
        gate.started(limits, at: t0)
        #expect(gate.finished(nil, limits: limits, policy: policy, at: t0) == nil)
        #expect(gate.allowance(limits, at: t0) == 1)
    }
}
