import Foundation

/// Where the replay keys of accepted webhooks are kept: in this process (``ReplayGuard``), or in the store
/// the replicas share (PostgreSQL), so that a request replayed to another replica is caught too.
public protocol ReplayLedger: Sendable {
    /// Reserves `key` for a request being accepted, or says why not. Throws when the ledger cannot be reached
    /// (the webhook is then not accepted: 503).
    func reserve(_ key: String, window: Duration, now: Date) async throws -> ReplayGuard.Reservation
    /// The request was accepted as notification `id`.
    func commit(_ key: String, id: String) async
    /// The request was not accepted: its sender's retry must not be taken for a replay.
    func release(_ key: String) async
}

/// Remembers the replay keys of accepted webhooks (a Standard Webhooks `webhook-id`, a timestamped Grafana
/// signature) for as long as a replay of them could still pass the timestamp check.
///
/// A key is *reserved* while its webhook is being written and *committed* once it is durably accepted; a
/// failed write *releases* it, so the sender's retry is processed rather than mistaken for a duplicate.
public actor ReplayGuard: ReplayLedger {
    public enum Reservation: Sendable, Equatable {
        /// First sighting: go ahead, then ``commit(_:id:)`` or ``release(_:)``.
        case fresh
        /// Already accepted as the webhook with this id.
        case duplicate(of: String)
        /// The same key is being accepted right now by another request.
        case inFlight
    }

    private enum State {
        case inFlight
        case accepted(id: String)
    }

    /// The keys, in shards: a dictionary that doubles rehashes every key it holds, and with hundreds of
    /// thousands of keys (a sustained load within the window) that held every webhook for 50-190 ms; a shard
    /// holds a 64th of them.
    private var shards = [[String: (state: State, expiresAt: Date)]](repeating: [:], count: ReplayGuard.shardCount)
    private static let shardCount = 64
    private var entryCount = 0
    private var expiryQueue: [(key: String, expiresAt: Date)] = []
    private var queueHead = 0
    private let capacity: Int

    /// - Parameter capacity: the most keys kept; past it the oldest are forgotten first.
    public init(capacity: Int = 1_000_000) {
        self.capacity = capacity
    }

    private static func shard(of key: String) -> Int {
        key.hashValue & (shardCount - 1)
    }

    private subscript(key: String) -> (state: State, expiresAt: Date)? {
        get { shards[Self.shard(of: key)][key] }
        set {
            let shard = Self.shard(of: key)
            if let newValue {
                if shards[shard].updateValue(newValue, forKey: key) == nil { entryCount += 1 }
            } else if shards[shard].removeValue(forKey: key) != nil {
                entryCount -= 1
            }
        }
    }

    public func reserve(_ key: String, window: Duration, now: Date) -> Reservation {
        prune(now: now)
        if let entry = self[key], entry.expiresAt > now {
            switch entry.state {
            case .inFlight: return .inFlight
            case .accepted(let id): return .duplicate(of: id)
            }
        }
        let expiresAt = now.addingTimeInterval(Double(window.components.seconds))
        self[key] = (.inFlight, expiresAt)
        expiryQueue.append((key, expiresAt))
        return .fresh
    }

    public func commit(_ key: String, id: String) {
        guard let entry = self[key] else { return }
        self[key] = (.accepted(id: id), entry.expiresAt)
    }

    public func release(_ key: String) {
        self[key] = nil
    }

    public var count: Int { entryCount }

    private func prune(now: Date) {
        while queueHead < expiryQueue.count {
            let (key, expiresAt) = expiryQueue[queueHead]
            guard expiresAt <= now || entryCount > capacity else { break }
            if let entry = self[key], entry.expiresAt == expiresAt { self[key] = nil }
            queueHead += 1
        }
        if queueHead > 4096, queueHead * 2 > expiryQueue.count {
            expiryQueue.removeFirst(queueHead)
            queueHead = 0
        }
    }
}
