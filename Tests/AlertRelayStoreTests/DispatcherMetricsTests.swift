import AlertRelay
import Foundation
import Logging
import MetricsTestKit
import Testing

@testable import AlertRelayStore

/// What the delivery workers count, read through swift-metrics' own test factory: one label set per sink, the
/// attempt's typed outcome, and timestamps from the injected clock.
@Suite struct DispatcherMetricsTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-metrics-\(UUID().uuidString).db").path
    let address = SinkAddress(receiver: "main", sink: "webhook_configs[0]")
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let fast = RetryPolicy(initialInterval: .milliseconds(20), multiplier: 2, maxInterval: .milliseconds(100), maxAge: .seconds(60))
    let frozen = Date(timeIntervalSince1970: 1_795_980_600)

    @Test func eachAttemptIsCountedByOutcomeAndTheSinksLastSuccessIsTheClocksTime() async throws {
        let test = TestMetrics()
        let frozen = self.frozen
        let metrics = RelayMetrics(factory: test, clock: { frozen })
        let store = try QueueStore(path: path, metrics: metrics)
        let payload = AlertNotification(
            status: .firing, groupKey: "g", alerts: [Alert(status: .firing, labels: ["alertname": "A"], startsAt: Timestamp(seconds: 1_795_980_000))]
        )
        _ = try await store.enqueue(
            AcceptedNotification(id: "n1", receivedAt: Date(), source: "am", jobs: [NewJob(address: address, payload: payload, dedupKey: nil)], dedupWindow: .zero)
        )
        let sink = ScriptedSink([.transient(reason: "HTTP 503", status: 503, response: "", retryAfter: nil)])
        let dispatcher = Dispatcher(
            queue: store, routes: [address: ConfiguredSink(sink: sink, limits: SinkLimits(), policy: fast)], now: { Date() }, jitter: { 0 },
            idleWait: .milliseconds(20), logger: logger, metrics: metrics
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await store.counts()[.delivered] != 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            dispatcher.stop()
            try await group.waitForAll()
        }
        let sinkLabels = [("receiver", "main"), ("sink", "webhook_configs[0]"), ("type", "scripted")]
        #expect(try test.expectCounter("alertrelay_delivery_attempts_total", sinkLabels + [("outcome", "transient")]).totalValue == 1)
        #expect(try test.expectCounter("alertrelay_delivery_attempts_total", sinkLabels + [("outcome", "delivered")]).totalValue == 1)
        #expect(try test.expectCounter("alertrelay_delivery_retries_total", sinkLabels).totalValue == 1)
        #expect(try test.expectTimer("alertrelay_delivery_attempt_duration_seconds", sinkLabels).values.count == 2)
        #expect(try test.expectGauge("alertrelay_sink_last_success_timestamp_seconds", sinkLabels).lastValue == frozen.timeIntervalSince1970)
    }

    @Test func aRefusedWebhookStampsTheSourcesLastAuthenticationFailureWithTheClock() throws {
        let test = TestMetrics()
        let frozen = self.frozen
        let metrics = RelayMetrics(factory: test, clock: { frozen })
        metrics.webhook(source: "am", outcome: "accepted")
        metrics.webhook(source: "am", outcome: "unauthorized")
        metrics.webhook(source: "am", outcome: "unauthorized")
        #expect(try test.expectCounter("alertrelay_webhooks_received_total", [("source", "am"), ("outcome", "unauthorized")]).totalValue == 2)
        #expect(try test.expectCounter("alertrelay_webhooks_received_total", [("source", "am"), ("outcome", "accepted")]).totalValue == 1)
        #expect(try test.expectGauge("alertrelay_auth_last_failure_timestamp_seconds", [("source", "am")]).lastValue == frozen.timeIntervalSince1970)
    }
}
