import Foundation

/// What a worker decided after an attempt.
public enum JobTransition: Sendable, Equatable {
    case delivered
    case retry(at: Date, error: String)
    case dead(error: String)
}
