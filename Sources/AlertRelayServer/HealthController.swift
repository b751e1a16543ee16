import AlertRelay
import HTTPTypes
import Hummingbird

/// `/-/healthy` and `/-/ready`, answered in plain text as Prometheus and Alertmanager answer them.
struct HealthController<Context: RequestContext> {
    let readiness: @Sendable () async -> String?

    func register(on router: Router<Context>) {
        for method: HTTPRequest.Method in [.get, .head] {
            router.on("/-/healthy", method: method) { _, _ in
                Self.text("AlertRelay is Healthy.\n", status: .ok)
            }
            router.on("/-/ready", method: method) { _, _ in
                if let problem = await readiness() {
                    return Self.text("AlertRelay is not ready: \(problem)\n", status: .serviceUnavailable)
                }
                return Self.text("AlertRelay is Ready.\n", status: .ok)
            }
        }
    }

    static func text(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: .init(string: text))
        )
    }
}
