import AlertRelay
import Foundation
import Hummingbird

/// Benchmarks only (`serve --bench.floor`): the floor of this HTTP stack, what `scripts/bench.sh` measures the
/// relay's request path against. `POST /webhook/{source}` reads the body, checks the source's signatures over
/// it and answers 202 with no body; nothing is parsed, routed, stored or counted (and only `/-/healthy` and `/-/ready` besides). Same server, same listener
/// protections, same verifiers as the real route.
func buildFloorRouter(relay: Relay) -> Router<RelayRequestContext> {
    let router = Router(context: RelayRequestContext.self)
    HealthController(readiness: relay.unreadiness).register(on: router)
    router.post("/webhook/:source") { request, context -> Response in
        guard let source = relay.ingestor.sources[try context.parameters.require("source")] else { return Response(status: .notFound) }
        var request = request
        let body = try await request.collectBody(upTo: source.maxBodySize)
        let webhook = WebhookRequest(headers: request.headers.map { ($0.name.canonicalName, $0.value) }, body: Array(buffer: body))
        let now = Date()
        for verifier in source.verifiers {
            if case .failed = verifier.verify(webhook, now: now) { return Response(status: .unauthorized) }
        }
        return Response(status: .accepted)
    }
    return router
}
