import Foundation

/// An HTTP request a sink sends. The URL comes from the config only, never from alert content.
public struct OutboundRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeout: Duration
    public var followRedirects: Bool
    public var tls: TLSOptions

    public init(
        url: String, method: String = "POST", headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(10), followRedirects: Bool = false, tls: TLSOptions = TLSOptions()
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.followRedirects = followRedirects
        self.tls = tls
    }
}

public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The first bytes of the body (the transport keeps no more than it needs to report).
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Why a request got no HTTP answer. All of these are worth retrying except a request AlertRelay itself
/// could not form (`invalidRequest`).
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case connection(String)
    case timeout(String)
    case tls(String)
    case invalidRequest(String)
    case other(String)

    public var description: String {
        switch self {
        case .connection(let message): "connection failed: \(message)"
        case .timeout(let message): "timed out: \(message)"
        case .tls(let message): "TLS failed: \(message)"
        case .invalidRequest(let message): "invalid request: \(message)"
        case .other(let message): message
        }
    }
}

/// Sends HTTP requests. The real one is libcurl (AlertRelayCurl); no other module speaks to the network.
public protocol HTTPTransport: Sendable {
    func send(_ request: OutboundRequest) async -> Result<OutboundResponse, TransportError>
}

extension HTTPTransport {
    /// Sends and judges the answer with the shared rule, honouring `Retry-After`: what every HTTP sink does.
    /// `judge` reads an answer first, for a service whose answers say more than their status (nil: no opinion).
    public func deliver(
        _ request: OutboundRequest, now: Date, judge: (OutboundResponse) -> DeliveryOutcome? = { _ in nil }
    ) async -> DeliveryOutcome {
        switch await send(request) {
        case .success(let response):
            if let outcome = judge(response) { return outcome }
            let retryAfter = response.header("Retry-After").flatMap { RetryAfter.parse($0, now: now) }
            return DeliveryOutcome.classify(
                httpStatus: response.status, response: DeliveryOutcome.snippet(response.body), retryAfter: retryAfter
            )
        case .failure(.invalidRequest(let message)):
            return .permanent(reason: "invalid request: \(request.redacting(message))", status: nil, response: "")
        case .failure(let error):
            return .transient(reason: request.redacting(error.description), status: nil, response: "", retryAfter: nil)
        }
    }
}

extension OutboundRequest {
    /// A transport's message without what the URL may hide a credential in (a Slack webhook's path, a token
    /// in a query): the URL and its path, wherever they appear, become `scheme://host/…`. Outcomes are
    /// logged, stored with the attempt and shown by the admin API.
    func redacting(_ message: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return message.replacingOccurrences(of: url, with: "…") }
        let shown = "\(components.scheme ?? "http")://\(host)\(components.port.map { ":\($0)" } ?? "")/…"
        var redacted = message.replacingOccurrences(of: url, with: shown)
        let path = components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        if path.count > 1 { redacted = redacted.replacingOccurrences(of: path, with: "/…") }
        if let query = components.percentEncodedQuery, !query.isEmpty { redacted = redacted.replacingOccurrences(of: query, with: "…") }
        return redacted
    }
}
