import AlertRelay
import CCurl
import Foundation
import NIOPosix

/// HTTP through libcurl. Each request runs on a dedicated thread pool, never on an event loop or the
/// cooperative pool: `curl_easy_perform` blocks.
public final class CurlHTTPTransport: HTTPTransport, Sendable {
    private let threads: NIOThreadPool
    private let bodyLimit: Int
    private let handles: HandlePool

    /// - Parameters:
    ///   - threads: how many transfers may block at once.
    ///   - bodyLimit: how much of an answer's body is kept.
    public init(threads: Int = 32, bodyLimit: Int = 64 * 1024) {
        self.threads = NIOThreadPool(numberOfThreads: threads)
        self.threads.start()
        self.bodyLimit = bodyLimit
        self.handles = HandlePool(capacity: threads)
    }

    deinit {
        threads.shutdownGracefully { _ in }
    }

    public func send(_ request: OutboundRequest) async -> Result<OutboundResponse, TransportError> {
        let bodyLimit = bodyLimit
        let handles = handles
        do {
            return try await TransferAbort.run(on: threads) { abort in Self.perform(request, bodyLimit: bodyLimit, handles: handles, abort: abort) }
        } catch {
            return .failure(.other("the transport is shut down"))
        }
    }

    private static func perform(
        _ request: OutboundRequest, bodyLimit: Int, handles: HandlePool, abort: TransferAbort
    ) -> Result<OutboundResponse, TransportError> {
        do throws(CurlError) {
            let handle = try handles.take()
            defer { handles.giveBack(handle) }
            try handle.prepareTransfer(url: request.url, protocols: "http,https", tls: request.tls, timeout: request.timeout, abort: abort)
            try handle.set(CURLOPT_FOLLOWLOCATION, request.followRedirects)
            if request.followRedirects {
                try handle.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
                try handle.set(CURLOPT_MAXREDIRS, 5)
            }
            switch request.method {
            case "POST":
                try handle.set(CURLOPT_POST, true)
                try handle.setBody(request.body)
            case "GET":
                try handle.set(CURLOPT_HTTPGET, true)
            default:
                try handle.set(CURLOPT_CUSTOMREQUEST, request.method)
                try handle.setBody(request.body)
            }
            // "Expect: 100-continue" would cost a round trip on bodies over 1 KiB.
            try handle.setHeaders(request.headers + [("Expect", "")])
            let collector = ResponseCollector(bodyLimit: bodyLimit)
            let status = try handle.perform(into: collector)
            return .success(OutboundResponse(status: status, headers: collector.headers, body: collector.body))
        } catch {
            return .failure(classify(error))
        }
    }

    private static func classify(_ error: CurlError) -> TransportError {
        switch error.category {
        case .connection: .connection(error.reason)
        case .timeout: .timeout(error.reason)
        case .tls: .tls(error.reason)
        case .invalidRequest: .invalidRequest(error.reason)
        case .authentication, .other: .other(error.reason)
        }
    }
}
