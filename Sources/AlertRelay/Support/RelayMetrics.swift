import CoreMetrics
import Foundation
import Metrics

/// Every metric AlertRelay keeps, named the Prometheus way (the README lists them). They go through one
/// swift-metrics factory: the service's exports them at `/metrics`; by default they go nowhere.
public struct RelayMetrics: Sendable {
    let factory: any MetricsFactory
    /// What the last-success, last-failure and last-reload gauges record.
    let clock: @Sendable () -> Date

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance, clock: @escaping @Sendable () -> Date = Date.init) {
        self.factory = factory
        self.clock = clock
    }

    /// Buckets for delivery and commit durations, in seconds.
    public static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]
    /// Buckets for the time from acceptance to delivery, retries included.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        .seconds(30), .seconds(60), .seconds(300), .seconds(900), .seconds(3600), .seconds(21600), .seconds(86400),
    ]

    /// `outcome`: accepted, duplicate, unauthorized, invalid, too_large, unsupported_media_type, in_flight,
    /// unavailable.
    public func webhook(source: String, outcome: String) {
        Counter(label: "alertrelay_webhooks_received_total", dimensions: [("source", source), ("outcome", outcome)], factory: factory)
            .increment()
        if outcome == "unauthorized" {
            Gauge(label: "alertrelay_auth_last_failure_timestamp_seconds", dimensions: [("source", source)], factory: factory)
                .record(clock().timeIntervalSince1970)
        }
    }

    /// Connections open on the main listener.
    /// - Parameter listener: `main` or `metrics` (`server.metrics_listen_address`).
    public func connections(open: Int, listener: String) {
        Gauge(label: "alertrelay_http_connections", dimensions: [("listener", listener)], factory: factory).record(open)
    }

    /// A connection closed on arrival because `server.max_connections` (`limit="total"`) or
    /// `server.max_connections_per_client` (`limit="per_client"`) were already open.
    public func connectionRefused(listener: String, limit: String) {
        Counter(label: "alertrelay_http_connections_refused_total", dimensions: [("listener", listener), ("limit", limit)], factory: factory)
            .increment()
    }

    /// Jobs found `delivering` at start: a previous process died during their delivery, so each may reach its
    /// sink a second time. This bounds, and counts, the duplicates a crash can cause.
    public func requeuedAfterCrash(_ jobs: Int) {
        Counter(label: "alertrelay_deliveries_requeued_after_crash_total", factory: factory).increment(by: jobs)
    }

    public func routed(receiver: String, alerts: Int, muted: Bool) {
        Counter(label: muted ? "alertrelay_alerts_muted_total" : "alertrelay_alerts_routed_total", dimensions: [("receiver", receiver)], factory: factory)
            .increment(by: alerts)
    }

    /// One delivery attempt. `outcome`: delivered, transient, permanent.
    func attempt(_ address: SinkAddress, type: String, outcome: DeliveryOutcome.Kind, duration: Duration) {
        let dimensions = [("receiver", address.receiver), ("sink", address.sink), ("type", type)]
        Counter(label: "alertrelay_delivery_attempts_total", dimensions: dimensions + [("outcome", outcome.rawValue)], factory: factory).increment()
        Timer(label: "alertrelay_delivery_attempt_duration_seconds", dimensions: dimensions, factory: factory).record(duration: duration)
        let last = outcome == .delivered ? "alertrelay_sink_last_success_timestamp_seconds" : "alertrelay_sink_last_failure_timestamp_seconds"
        Gauge(label: last, dimensions: dimensions, factory: factory).record(clock().timeIntervalSince1970)
    }

    /// A job that ended: delivered (with the time since acceptance) or dead.
    func ended(_ address: SinkAddress, type: String, delivered: Bool, attempts: Int, sinceAccepted: Duration) {
        let dimensions = [("receiver", address.receiver), ("sink", address.sink), ("type", type)]
        if delivered {
            Counter(label: "alertrelay_deliveries_total", dimensions: dimensions + [("outcome", "delivered")], factory: factory).increment()
            Timer(label: "alertrelay_delivery_latency_seconds", dimensions: dimensions, factory: factory).record(duration: sinceAccepted)
        } else {
            Counter(label: "alertrelay_deliveries_total", dimensions: dimensions + [("outcome", "dead")], factory: factory).increment()
            Counter(label: "alertrelay_dead_letters_total", dimensions: dimensions, factory: factory).increment()
        }
        Recorder(label: "alertrelay_delivery_attempts_per_job", dimensions: [("type", type)], factory: factory).record(attempts)
    }

    func retried(_ address: SinkAddress, type: String) {
        Counter(label: "alertrelay_delivery_retries_total", dimensions: [("receiver", address.receiver), ("sink", address.sink), ("type", type)], factory: factory)
            .increment()
    }

    func circuit(_ address: SinkAddress, open: Bool) {
        Gauge(label: "alertrelay_sink_circuit_open", dimensions: [("receiver", address.receiver), ("sink", address.sink)], factory: factory)
            .record(open ? 1 : 0)
    }

    /// Drops the per-sink gauges of a sink a reload removed, so no dashboard shows it failing forever.
    public func forget(_ address: SinkAddress, type: String) {
        let dimensions = [("receiver", address.receiver), ("sink", address.sink), ("type", type)]
        Gauge(label: "alertrelay_sink_circuit_open", dimensions: [("receiver", address.receiver), ("sink", address.sink)], factory: factory).destroy()
        Gauge(label: "alertrelay_sink_last_success_timestamp_seconds", dimensions: dimensions, factory: factory).destroy()
        Gauge(label: "alertrelay_sink_last_failure_timestamp_seconds", dimensions: dimensions, factory: factory).destroy()
    }

    /// One group commit of accepted webhooks: its wall time (waits for the disk and for a core included) and
    /// the writer thread's CPU time, and how many webhooks it carried.
    public func commit(duration: Duration, cpu: Duration, webhooks: Int) {
        Timer(label: "alertrelay_store_commit_duration_seconds", factory: factory).record(duration: duration)
        Timer(label: "alertrelay_store_commit_cpu_seconds", factory: factory).record(duration: cpu)
        Recorder(label: "alertrelay_store_commit_batch_size", factory: factory).record(webhooks)
    }

    /// Queue depth by state, and the age of the oldest job waiting for delivery.
    public func queue(counts: [JobState: Int], oldestWaiting: Duration?) {
        for state in JobState.allCases {
            Gauge(label: "alertrelay_queue_jobs", dimensions: [("state", state.rawValue)], factory: factory).record(counts[state] ?? 0)
        }
        Gauge(label: "alertrelay_queue_oldest_waiting_age_seconds", factory: factory).record(oldestWaiting.map(\.timeInterval) ?? 0)
    }

    /// Jobs waiting for a sink the current config no longer has.
    public func orphaned(_ jobs: Int) {
        Gauge(label: "alertrelay_queue_orphaned_jobs", factory: factory).record(jobs)
    }

    public func reload(successful: Bool) {
        Gauge(label: "alertrelay_config_last_reload_successful", factory: factory).record(successful ? 1 : 0)
        if successful {
            Gauge(label: "alertrelay_config_last_reload_success_timestamp_seconds", factory: factory).record(clock().timeIntervalSince1970)
        } else {
            Counter(label: "alertrelay_config_reload_failures_total", factory: factory).increment()
        }
    }

    public func buildInfo() {
        Gauge(label: "alertrelay_build_info", dimensions: [("version", AlertRelayVersion.current)], factory: factory).record(1)
    }
}

