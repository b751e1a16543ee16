import Foundation
import Logging

/// Takes in one webhook: authenticates it over its exact bytes, decodes it, refuses replays, routes each alert
/// through the tree, and turns it into one delivery job per sink of each receiver reached, committed durably
/// before it counts as accepted.
public struct Ingestor: Sendable {
    public let sources: [String: Source]
    let receivers: [String: Receiver]
    let routing: RoutingTree
    let queue: any JobQueue
    public let replayGuard: any ReplayLedger
    let dedupWindow: Duration
    let clock: @Sendable () -> Date
    let metrics: RelayMetrics
    /// Per source, for sources with a `rate_limit`.
    let buckets: [String: TokenBucket]

    /// - Parameter replayGuard: carried over from the previous ingestor when the config is reloaded, so a
    ///   replay is still caught across a reload.
    public init(
        configuration: RelayConfiguration, queue: any JobQueue, clock: @escaping @Sendable () -> Date = Date.init,
        replayGuard: any ReplayLedger = ReplayGuard(), metrics: RelayMetrics = RelayMetrics()
    ) {
        self.sources = configuration.sources
        self.buckets = configuration.sources.compactMapValues { source in
            source.rateLimit.map { TokenBucket(perSecond: $0.perSecond, burst: $0.burst) }
        }
        self.receivers = configuration.receivers
        self.routing = configuration.routing
        self.queue = queue
        self.replayGuard = replayGuard
        self.metrics = metrics
        self.dedupWindow = configuration.settings.dedup.window.duration
        self.clock = clock
    }

    public func ingest(_ request: WebhookRequest, from source: Source, logger: Logger) async throws(IngestError) -> IngestReceipt {
        let now = clock()
        let replay = try authenticate(request, source: source, now: now, logger: logger)
        let notification: AlertNotification
        do {
            notification = try AlertNotification.decode(json: request.body)
        } catch {
            logger.info("Refused an invalid payload", metadata: ["source": "\(source.name)", "error": "\(error)"])
            throw .invalidPayload(error)
        }
        let counts = notification.counts
        let routed = routing.route(notification, at: now)
        func receipt(id: String, duplicateOf: String?) -> IngestReceipt {
            IngestReceipt(
                id: id, source: source.name, alerts: notification.alerts.count, firing: counts.firing, resolved: counts.resolved,
                receivers: routed.filter { $0.muted == nil }.map(\.receiver), muted: routed.filter { $0.muted != nil }.map(\.receiver),
                duplicateOf: duplicateOf
            )
        }

        // Replays and duplicates are answered before the rate limit is consulted, and never spend from it: only
        // new, authenticated notifications count, so nobody else can spend a sender's budget, not even by
        // replaying its own captured requests.
        var replayKey: String?
        if let key = replay.key {
            let namespaced = source.name + "/" + key
            let reservation: ReplayGuard.Reservation
            do {
                reservation = try await replayGuard.reserve(namespaced, window: replay.window, now: now)
            } catch {
                logger.error("Could not check for a replay; answered 503", metadata: ["source": "\(source.name)", "error": "\(error)"])
                throw .unavailable("\(error)")
            }
            switch reservation {
            case .fresh:
                replayKey = namespaced
            case .inFlight:
                throw .inFlight
            case .duplicate(let id):
                logger.info("Answered a replayed delivery as a duplicate", metadata: ["source": "\(source.name)", "original.id": "\(id)"])
                return receipt(id: id, duplicateOf: id)
            }
        }

        let id = NotificationID.make(now: now)
        let jobs = routed.flatMap { share in
            Self.jobs(for: share, receiver: receivers[share.receiver], body: request.body, dedupScope: source.dedupScope)
        }
        let bucket = buckets[source.name]
        if let wait = bucket?.take(at: now) {
            // Over the limit: still a duplicate is answered as one (it would cost no write).
            if let first = try? await queue.firstAcceptance(of: jobs, at: now) {
                if let replayKey { await replayGuard.commit(replayKey, id: first) }
                logger.info("Answered a notification already accepted as a duplicate", metadata: ["source": "\(source.name)", "original.id": "\(first)"])
                return receipt(id: first, duplicateOf: first)
            }
            if let replayKey { await replayGuard.release(replayKey) }
            logger.warning("Refused a webhook over the source's rate limit", metadata: ["source": "\(source.name)"])
            throw .rateLimited(retryAfter: wait)
        }
        let result: EnqueueResult
        do {
            result = try await queue.enqueue(AcceptedNotification(id: id, receivedAt: now, source: source.name, jobs: jobs, dedupWindow: dedupWindow))
        } catch {
            if let replayKey { await replayGuard.release(replayKey) }
            logger.error("Could not store an accepted webhook; answered 503", metadata: ["source": "\(source.name)", "error": "\(error)"])
            throw .unavailable("\(error)")
        }
        switch result {
        case .duplicate(let first):
            bucket?.refund()
            if let replayKey { await replayGuard.commit(replayKey, id: first) }
            logger.info("Answered a notification already accepted as a duplicate", metadata: ["source": "\(source.name)", "original.id": "\(first)"])
            return receipt(id: first, duplicateOf: first)
        case .accepted(let written, let duplicates):
            if let replayKey { await replayGuard.commit(replayKey, id: id) }
            for share in routed {
                metrics.routed(receiver: share.receiver, alerts: share.notification.alerts.count, muted: share.muted != nil)
            }
            logger.info(
                "Accepted webhook",
                metadata: [
                    "source": "\(source.name)", "notification.id": "\(id)", "alerts": "\(notification.alerts.count)",
                    "receivers": "\(routed.map(\.receiver).joined(separator: ","))", "jobs": "\(written)", "duplicates": "\(duplicates)",
                ]
            )
            return receipt(id: id, duplicateOf: nil)
        }
    }

    /// One job per sink of the receiver, each with the alerts that sink takes: resolved ones only where
    /// `send_resolved` is on, and nothing when that leaves none. Muted shares are recorded, not deduplicated.
    /// `body`, the request as received, is reused when a sink gets the whole notification unchanged.
    /// - Parameter dedupScope: the source's ``Source/dedupScope``; `nil`: not deduplicated (test-fire).
    static func jobs(for share: RoutingTree.Routed, receiver: Receiver?, body: [UInt8]?, dedupScope: String?) -> [NewJob] {
        guard let receiver else { return [] }
        return receiver.sinks.compactMap { sink -> NewJob? in
            guard let payload = sink.share(of: share.notification) else { return nil }
            let unchanged = share.isWhole && payload.alerts.count == share.notification.alerts.count
            let dedupKey = share.muted == nil ? dedupScope.map { DedupKey.of(payload, for: sink.address, scope: $0) } : nil
            return NewJob(
                address: sink.address, payload: payload, dedupKey: dedupKey, encodedPayload: unchanged ? body : nil, mutedBecause: share.muted
            )
        }
    }

    /// Refuses, from the headers alone, a request whose source decides without the body (bearer, basic,
    /// a client certificate): nothing an unauthenticated client sends is buffered. Passes everything else on
    /// to ``ingest(_:from:logger:)``, which authenticates again over the whole request.
    public func authenticateBeforeBody(
        headers: [(name: String, value: String)], clientCertificate: VerifiedClientCertificate?, from source: Source, logger: Logger
    ) throws(IngestError) {
        let request = WebhookRequest(headers: headers, body: [], clientCertificate: clientCertificate)
        if source.verifiers.contains(where: \.readsBody) {
            // A signature needs the body: only the client certificate can be decided now.
            if let refusal = source.clientCertificate?.refusal(of: clientCertificate) {
                logger.warning("Refused a webhook without an acceptable client certificate", metadata: ["source": "\(source.name)", "reason": "\(refusal)"])
                throw .unauthorized
            }
            return
        }
        _ = try authenticate(request, source: source, now: clock(), logger: logger)
    }

    private func authenticate(
        _ request: WebhookRequest, source: Source, now: Date, logger: Logger
    ) throws(IngestError) -> (key: String?, window: Duration) {
        if let refusal = source.clientCertificate?.refusal(of: request.clientCertificate) {
            logger.warning("Refused a webhook without an acceptable client certificate", metadata: ["source": "\(source.name)", "reason": "\(refusal)"])
            throw .unauthorized
        }
        var failures: [String] = []
        for verifier in source.verifiers {
            switch verifier.verify(request, now: now) {
            case .passed(let key, let window): return (key, window)
            case .failed(let failure): failures.append("\(verifier.scheme): \(failure)")
            }
        }
        logger.warning(
            "Refused a webhook that failed authentication",
            metadata: ["source": "\(source.name)", "reasons": "\(failures.joined(separator: "; "))"]
        )
        throw .unauthorized
    }
}
