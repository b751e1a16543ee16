import Foundation
import Logging

/// Why a webhook was not taken in. The HTTP layer turns each case into a status.
public enum IngestError: Error, Sendable, Equatable {
    case unauthorized
    /// The source sent more than its `rate_limit`; it may try again after this long.
    case rateLimited(retryAfter: Duration)
    case invalidPayload(PayloadError)
    /// The same delivery (by its replay key) is being accepted by another request right now.
    case inFlight
    /// The accepted notification could not be made durable; nothing was acknowledged.
    case unavailable(String)
}
