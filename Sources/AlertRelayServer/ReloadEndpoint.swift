import AlertRelay
import Foundation
import Hummingbird
import Logging

/// `POST /-/reload` (admin token): 200 when the new config is in use, 400 with every problem when it is not
/// (the old one keeps serving).
enum ReloadEndpoint {
    struct Answer: Encodable {
        var status: String
        var receivers: Int?
        var orphaned: [String: Int]?
        var errors: [String]?
    }

    static func reload(_ relay: Relay, logger: Logger) async throws -> Response {
        switch await relay.reload(logger: logger) {
        case .success(let report):
            let orphaned = Dictionary(uniqueKeysWithValues: report.orphaned.map { ($0.key.description, $0.value) })
            return try Response.json(Answer(status: "reloaded", receivers: report.receivers, orphaned: orphaned.isEmpty ? nil : orphaned), status: .ok)
        case .failure(let error):
            return try Response.json(Answer(status: "error", errors: error.issues.map(\.description)), status: .badRequest)
        }
    }
}
