import AlertRelay
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET /metrics` in Prometheus' text format, and `POST /-/reload`.
struct MetricsController<Context: RequestContext> {
    let relay: Relay

    func register(on router: some RouterMethods<Context>) {
        router.get("/metrics") { _, _ -> Response in
            let body = await relay.scrape()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        }
    }
}

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
