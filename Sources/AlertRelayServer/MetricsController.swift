import AlertRelay
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET /metrics` in Prometheus' text format.
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
