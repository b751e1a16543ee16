import Foundation
import Logging

/// What the sender is told when its webhook was taken in.
public struct IngestReceipt: Sendable, Equatable {
    public var id: String
    public var source: String
    public var alerts: Int
    public var firing: Int
    public var resolved: Int
    public var receivers: [String]
    /// Set when this webhook was already accepted (a replayed or retried delivery): the first one's id.
    public var duplicateOf: String?
}

/// Why a webhook was not taken in. The HTTP layer turns each case into a status.
public enum IngestError: Error, Sendable, Equatable {
    case unauthorized
    case invalidPayload(PayloadError)
    /// The same delivery (by its replay key) is being accepted by another request right now.
    case inFlight
    /// The accepted notification could not be made durable; nothing was acknowledged.
    case unavailable(String)
}

/// One accepted notification for one receiver, as the `file` sink writes it.
public struct OutboxRecord: Sendable, Codable, Equatable {
    public var id: String
    public var receivedAt: Date
    public var source: String
    public var receiver: String
    public var notification: Notification

    enum CodingKeys: String, CodingKey {
        case id, receivedAt = "received_at", source, receiver, notification
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(Timestamp(receivedAt), forKey: .receivedAt)
        try c.encode(source, forKey: .source)
        try c.encode(receiver, forKey: .receiver)
        try c.encode(notification, forKey: .notification)
    }

    public init(id: String, receivedAt: Date, source: String, receiver: String, notification: Notification) {
        self.id = id
        self.receivedAt = receivedAt
        self.source = source
        self.receiver = receiver
        self.notification = notification
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        receivedAt = try c.decode(Timestamp.self, forKey: .receivedAt).date
        source = try c.decode(String.self, forKey: .source)
        receiver = try c.decode(String.self, forKey: .receiver)
        notification = try c.decode(Notification.self, forKey: .notification)
    }
}

/// Takes in one webhook: authenticates it over its exact bytes, decodes it, refuses replays, and makes it
/// durable in every sink of the receiver it routes to before it counts as accepted.
public struct Ingestor: Sendable {
    public let sources: [String: Source]
    let receiver: Receiver
    let outboxes: [String: JSONLinesOutbox]
    let replayGuard: ReplayGuard
    let clock: @Sendable () -> Date

    public init(configuration: ResolvedConfiguration, clock: @escaping @Sendable () -> Date = Date.init) throws(OutboxError) {
        guard let receiver = configuration.receivers[configuration.rootReceiver] else {
            preconditionFailure("ConfigLoader guarantees the root receiver exists")
        }
        var outboxes: [String: JSONLinesOutbox] = [:]
        for target in configuration.receivers.values.flatMap(\.fileSinks) where outboxes[target.path] == nil {
            outboxes[target.path] = try JSONLinesOutbox(path: target.path)
        }
        self.sources = configuration.sources
        self.receiver = receiver
        self.outboxes = outboxes
        self.replayGuard = ReplayGuard()
        self.clock = clock
    }

    /// The first sink failure still standing, if any: the service is not ready while one is.
    public func unavailability() async -> String? {
        for outbox in outboxes.values {
            if let failure = await outbox.failure { return failure.description }
        }
        return nil
    }

    public func ingest(_ request: WebhookRequest, from source: Source, logger: Logger) async throws(IngestError) -> IngestReceipt {
        let now = clock()
        let replay = try authenticate(request, source: source, now: now, logger: logger)
        let notification: Notification
        do {
            notification = try Notification.decode(json: request.body)
        } catch {
            logger.info("Refused an invalid payload", metadata: ["source": "\(source.name)", "error": "\(error)"])
            throw .invalidPayload(error)
        }

        let counts = notification.counts
        var replayKey: String?
        if let key = replay.key {
            let namespaced = source.name + "/" + key
            switch await replayGuard.reserve(namespaced, window: replay.window, now: now) {
            case .fresh:
                replayKey = namespaced
            case .inFlight:
                throw .inFlight
            case .duplicate(let id):
                logger.info("Answered a replayed delivery as a duplicate", metadata: ["source": "\(source.name)", "original.id": "\(id)"])
                return IngestReceipt(
                    id: id, source: source.name, alerts: notification.alerts.count, firing: counts.firing,
                    resolved: counts.resolved, receivers: [receiver.name], duplicateOf: id
                )
            }
        }

        let id = NotificationID.make(now: now)
        do {
            try await write(OutboxRecord(id: id, receivedAt: now, source: source.name, receiver: receiver.name, notification: notification))
        } catch {
            if let replayKey { await replayGuard.release(replayKey) }
            logger.error("Could not make an accepted webhook durable", metadata: ["source": "\(source.name)", "error": "\(error)"])
            throw .unavailable(error.description)
        }
        if let replayKey { await replayGuard.commit(replayKey, id: id) }
        logger.info(
            "Accepted webhook",
            metadata: ["source": "\(source.name)", "notification.id": "\(id)", "alerts": "\(notification.alerts.count)", "receiver": "\(receiver.name)"]
        )
        return IngestReceipt(
            id: id, source: source.name, alerts: notification.alerts.count, firing: counts.firing, resolved: counts.resolved,
            receivers: [receiver.name], duplicateOf: nil
        )
    }

    private func authenticate(
        _ request: WebhookRequest, source: Source, now: Date, logger: Logger
    ) throws(IngestError) -> (key: String?, window: Duration) {
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

    /// Writes the record to every file sink of the receiver, all at once; any failure fails the whole.
    private func write(_ record: OutboxRecord) async throws(OutboxError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var writes: [(JSONLinesOutbox, [UInt8])] = []
        for sink in receiver.fileSinks {
            var record = record
            if !sink.sendResolved {
                record.notification.alerts.removeAll { $0.status == .resolved }
                if record.notification.alerts.isEmpty { continue }
            }
            guard let outbox = outboxes[sink.path] else { continue }
            do {
                writes.append((outbox, Array(try encoder.encode(record))))
            } catch {
                throw OutboxError(path: sink.path, operation: "encode", code: EINVAL)
            }
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (outbox, line) in writes {
                    group.addTask { try await outbox.append(line) }
                }
                try await group.waitForAll()
            }
        } catch let error as OutboxError {
            throw error
        } catch {
            throw OutboxError(path: "", operation: "write", code: EIO)
        }
    }
}

/// Time-ordered identifiers (UUID version 7): they sort by arrival, which the queue and logs rely on.
public enum NotificationID {
    public static func make(now: Date) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)
        bytes[8] = 0x80 | (bytes[8] & 0x3f)
        let hex = Hex.encode(bytes)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }
}
