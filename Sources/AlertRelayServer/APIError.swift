import AlertRelay
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// An error a client sees: an HTTP status and a JSON body that says what was wrong.
///
/// `{"status": "error", "error": "invalid_payload", "message": "alerts[0].startsAt: expected an RFC 3339 timestamp", "field": "alerts[0].startsAt"}`
public struct APIError: Error, HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable name for the failure.
    public var code: String
    public var message: String
    public var field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    struct Body: Codable {
        var status = "error"
        var error: String
        var message: String
        var field: String?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try Response.json(Body(error: code, message: message, field: field), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    static func unknownSource(_ name: String) -> APIError {
        APIError(.notFound, code: "unknown_source", message: "no source named \"\(name.prefix(100))\" is configured")
    }

    /// The same answer, after which the connection is closed (a body left unread cannot be skipped safely).
    func closingConnection() -> APIError {
        var error = self
        error.headers[.connection] = "close"
        return error
    }

    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "authentication failed",
        headers: [.wwwAuthenticate: "Bearer realm=\"alertrelay\""]
    )

    static func rateLimited(retryAfter: Duration) -> APIError {
        let seconds = max(1, Int((retryAfter.timeInterval).rounded(.up)))
        return APIError(
            .tooManyRequests, code: "rate_limited", message: "this source sends more than its rate_limit; retry after \(seconds) s",
            headers: [.retryAfter: String(seconds)]
        )
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: String) -> APIError {
        APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(method) is not allowed here; use \(allowed)", headers: [.allow: allowed])
    }

    static func unsupportedMediaType(_ contentType: String?) -> APIError {
        let got = contentType.map { "got \"\($0.prefix(100))\"" } ?? "no Content-Type was sent"
        return APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "the body must be application/json; \(got)")
    }

    static func tooLarge(limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "body_too_large", message: "the body is larger than the limit of \(limit) bytes",
            headers: [.connection: "close"]
        )
    }

    static func invalidPayload(_ error: PayloadError) -> APIError {
        APIError(.badRequest, code: "invalid_payload", message: error.description, field: error.field)
    }

    static let inFlight = APIError(
        .conflict, code: "in_flight", message: "a delivery with the same id is being accepted right now; retry shortly",
        headers: [.retryAfter: "1"]
    )

    static let unavailable = APIError(
        .serviceUnavailable, code: "store_unavailable", message: "the webhook could not be stored durably; it was not accepted, retry later",
        headers: [.retryAfter: "5"]
    )
}

/// Turns every error into ``APIError``'s JSON, including Hummingbird's own (an unknown route, a body over its
/// limit), so that clients always get the same shape. Unexpected errors are logged and answered 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase, headers: error.headers)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, code: Self.code(for: error.status), message: error.status.reasonPhrase)
        } catch let error as HTTPParserError {
            // A malformed request (a bad chunk size, a missing CRLF) is the client's fault: 400, which a sender
            // does not retry as it would a 500, and nothing for the error log.
            context.logger.debug("Refused a malformed request", metadata: ["error": "\(error)"])
            throw APIError(.badRequest, code: "malformed_request", message: "the request is not valid HTTP/1.1 (\(error))", headers: [.connection: "close"])
        } catch {
            context.logger.error("Unexpected error while handling a request", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.internalServerError, code: "internal_error", message: "internal error; see the service's log")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .contentTooLarge: "body_too_large"
        case .badRequest: "bad_request"
        case .methodNotAllowed: "method_not_allowed"
        default: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
        }
    }
}
