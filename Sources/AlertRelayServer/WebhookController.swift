import AlertRelay
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /webhook/{source}`: one sender's notifications.
struct WebhookController<Context: ClientCertificateContext> {
    /// The current config's ingestor: a reload swaps it between two requests, never during one.
    let ingestor: @Sendable () -> Ingestor
    let metrics: RelayMetrics

    func register(on router: Router<Context>) {
        router.post("/webhook/:source", use: receive)
        for method: HTTPRequest.Method in [.get, .head, .put, .patch, .delete, .options] {
            router.on("/webhook/:source", method: method) { request, _ -> Response in
                throw APIError.methodNotAllowed(request.method, allowed: "POST")
            }
        }
    }

    /// Checks in the cheapest order: which source, what media type, how large (before reading, then while
    /// reading), then authentication over the exact bytes, then the payload.
    @Sendable func receive(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameters.require("source")
        let ingestor = self.ingestor()
        guard let source = ingestor.sources[name] else { throw APIError.unknownSource(name) }
        guard Self.isJSON(request.headers[.contentType]) else {
            metrics.webhook(source: name, outcome: "unsupported_media_type")
            throw APIError.unsupportedMediaType(request.headers[.contentType])
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > source.maxBodySize {
            metrics.webhook(source: name, outcome: "too_large")
            throw APIError.tooLarge(limit: source.maxBodySize)
        }
        let headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        let clientCertificate = source.clientCertificate == nil ? nil : await context.clientCertificate()
        do {
            try ingestor.authenticateBeforeBody(headers: headers, clientCertificate: clientCertificate, from: source, logger: context.logger)
        } catch {
            metrics.webhook(source: name, outcome: "unauthorized")
            // The body was not read: the connection cannot carry another request after this answer.
            throw APIError.unauthorized.closingConnection()
        }
        let body: ByteBuffer
        do {
            var request = request
            body = try await request.collectBody(upTo: source.maxBodySize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // Hummingbird stops reading at the limit (NIOTooManyBytesError): the rest is never buffered.
            metrics.webhook(source: name, outcome: "too_large")
            throw APIError.tooLarge(limit: source.maxBodySize)
        }

        let webhook = WebhookRequest(headers: headers, body: Array(buffer: body), clientCertificate: clientCertificate)
        let receipt: IngestReceipt
        do {
            receipt = try await ingestor.ingest(webhook, from: source, logger: context.logger)
        } catch {
            switch error {
            case .unauthorized:
                metrics.webhook(source: name, outcome: "unauthorized")
                throw APIError.unauthorized
            case .rateLimited(let wait):
                metrics.webhook(source: name, outcome: "rate_limited")
                throw APIError.rateLimited(retryAfter: wait)
            case .invalidPayload(let payloadError):
                metrics.webhook(source: name, outcome: "invalid")
                throw APIError.invalidPayload(payloadError)
            case .inFlight:
                metrics.webhook(source: name, outcome: "in_flight")
                throw APIError.inFlight
            case .unavailable:
                metrics.webhook(source: name, outcome: "unavailable")
                throw APIError.unavailable
            }
        }
        metrics.webhook(source: name, outcome: receipt.duplicateOf == nil ? "accepted" : "duplicate")
        return ReceiptBody(receipt).response(as: receipt.duplicateOf == nil ? .accepted : .ok)
    }

    /// `application/json`, with parameters (`; charset=utf-8`) or a `+json` structured suffix.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        // Media types are ASCII and case-insensitive: lower-cased bytes, without Foundation on the hot path.
        let mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.drop(while: isSpace).map { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
        }
        let trimmed = mediaType[..<(mediaType.lastIndex { !isSpace($0) }.map { $0 + 1 } ?? 0)]
        return trimmed.elementsEqual("application/json".utf8)
            || (trimmed.starts(with: "application/".utf8) && trimmed.reversed().starts(with: "+json".utf8.reversed()))
    }
}

/// The body of a 202 (accepted) or 200 (duplicate) answer.
struct ReceiptBody: Codable, Equatable {
    var status: String
    var id: String
    var source: String
    var alerts: Int
    var firing: Int
    var resolved: Int
    var receivers: [String]
    /// Receivers reached during a mute time interval (recorded, not sent); absent when none.
    var muted: [String]?
    var message: String?

    init(_ receipt: IngestReceipt) {
        status = receipt.duplicateOf == nil ? "accepted" : "duplicate"
        id = receipt.id
        source = receipt.source
        alerts = receipt.alerts
        firing = receipt.firing
        resolved = receipt.resolved
        receivers = receipt.receivers
        muted = receipt.muted.isEmpty ? nil : receipt.muted
        message = receipt.duplicateOf.map { "already accepted as \($0); not processed again" }
    }

    func response(as httpStatus: HTTPResponse.Status) -> Response {
        Response(status: httpStatus, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// Written out by hand, keys sorted as `Response.json` sorts them: this answer goes out for every
    /// webhook, and JSONEncoder cost 4% of a webhook's instructions (callgrind).
    var json: String {
        func string(_ text: String) -> String { "\"" + JSONEscaping.escape(text) + "\"" }
        func strings(_ list: [String]) -> String { "[" + list.map(string).joined(separator: ",") + "]" }
        var fields = ["\"alerts\":\(alerts)", "\"firing\":\(firing)", "\"id\":" + string(id)]
        if let message { fields.append("\"message\":" + string(message)) }
        if let muted { fields.append("\"muted\":" + strings(muted)) }
        fields += ["\"receivers\":" + strings(receivers), "\"resolved\":\(resolved)", "\"source\":" + string(source), "\"status\":" + string(status)]
        return "{" + fields.joined(separator: ",") + "}"
    }
}
