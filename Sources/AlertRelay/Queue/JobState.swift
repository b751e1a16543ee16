import Foundation

/// Where a delivery job stands. `delivering` only while a worker holds it; a job found `delivering` when the
/// service starts was held by a process that died, and is retried. `muted` jobs were routed during a mute
/// (or outside an active) time interval: recorded, never sent unless an operator retries them.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case pending, retrying, delivering, delivered, dead, muted
}
