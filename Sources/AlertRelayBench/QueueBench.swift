import AlertRelay
import AlertRelayStore
import ArgumentParser
import Foundation

/// `alertrelay-bench queue`: the cost of one enqueue, one claim and one finish on the real store, with the
/// queue holding N pending jobs. It fills the store up to N first (in large transactions, the fast way), so
/// successive runs on one database measure 10k, then 100k, then 1M. scripts/bench.sh drives it.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Measure the queue's per-operation cost at a given backlog (prints one JSON line)."
    )

    @Option(help: "The queue database (created if absent).")
    var database: String

    @Option(help: "Pending jobs to hold while measuring.")
    var pending: Int

    @Option(help: "An Alertmanager webhook body: the payload of every job.")
    var payload: String

    @Option(help: "Receiver and sink the jobs are for, as RECEIVER/SINK.")
    var sink = "hook/webhook_configs[0]"

    @Option(help: "Operations timed of each kind (0: only fill).")
    var samples = 300

    func run() async throws {
        let body = Array(try Data(contentsOf: URL(fileURLWithPath: payload)))
        let notification = try AlertNotification.decode(json: body)
        let parts = sink.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw ValidationError("--sink must be RECEIVER/SINK") }
        let address = SinkAddress(receiver: parts[0], sink: parts[1])
        let store = try QueueStore(path: database)

        // Fill up to `pending`, 5,000 jobs a transaction.
        let fillStarted = ContinuousClock.now
        var waiting = try await store.counts()[.pending] ?? 0
        while waiting < pending {
            let batch = min(5_000, pending - waiting)
            let job = NewJob(address: address, payload: notification, dedupKey: nil, encodedPayload: body)
            _ = try await store.enqueue(AcceptedNotification(
                id: NotificationID.make(now: Date()), receivedAt: Date(), source: "bench", jobs: Array(repeating: job, count: batch), dedupWindow: .zero
            ))
            waiting += batch
        }
        let fill = ContinuousClock.now - fillStarted
        guard samples > 0 else {
            print("{\"fill_seconds\":\(fill.seconds),\"pending\":\(waiting)}")
            return
        }

        // One enqueue at a time, each committed durably (fsync), as a lone webhook is.
        var enqueue: [Duration] = []
        for _ in 0..<samples {
            let job = NewJob(address: address, payload: notification, dedupKey: nil, encodedPayload: body)
            let started = ContinuousClock.now
            _ = try await store.enqueue(AcceptedNotification(
                id: NotificationID.make(now: Date()), receivedAt: Date(), source: "bench", jobs: [job], dedupWindow: .zero
            ))
            enqueue.append(ContinuousClock.now - started)
        }
        // One claim of the oldest due job, and its finish as delivered: the backlog stays at `pending`.
        var claim: [Duration] = []
        var finish: [Duration] = []
        for _ in 0..<samples {
            var started = ContinuousClock.now
            guard let job = try await store.claimDue(now: Date(), allowances: [address: 1]).first else {
                throw ValidationError("nothing to claim")
            }
            claim.append(ContinuousClock.now - started)
            started = ContinuousClock.now
            let attempt = Attempt(number: 1, startedAt: Date(), duration: .milliseconds(1), outcome: .delivered(status: 200, response: "bench"))
            try await store.finish(jobID: job.id, attempt: attempt, transition: .delivered)
            finish.append(ContinuousClock.now - started)
        }
        let result: [String: Any] = [
            "pending": waiting,
            "fill_seconds": fill.seconds,
            "enqueue_us": Self.summary(enqueue),
            "claim_us": Self.summary(claim),
            "finish_us": Self.summary(finish),
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    static func summary(_ samples: [Duration]) -> [String: Double] {
        let micros = samples.map { $0.seconds * 1e6 }.sorted()
        func percentile(_ p: Double) -> Double { micros[min(micros.count - 1, Int(Double(micros.count) * p))].rounded() }
        return ["p50": percentile(0.5), "p99": percentile(0.99), "mean": (micros.reduce(0, +) / Double(micros.count)).rounded()]
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
