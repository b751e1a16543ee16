import AlertRelay
import AlertRelayStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Lets a request through only with `Authorization: Bearer <admin token>`, compared in constant time.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The current config's token (a reload may change it).
    let token: @Sendable () -> Secret?
    let clock: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = token() else {
            throw APIError(.forbidden, code: "admin_disabled", message: "the admin API is disabled: set admin.token or admin.token_file in the config")
        }
        let verifier = BearerToken(tokens: [token])
        let headers = request.headers[values: .authorization].map { (name: "Authorization", value: $0) }
        guard case .passed = verifier.verify(WebhookRequest(headers: headers, body: []), now: clock()) else {
            context.logger.warning("Refused an admin request without a valid token", metadata: ["path": "\(request.uri.path)"])
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }
}
