import AlertRelay
import CCurl
import Foundation

/// What HTTP and SMTP transfers share: the settings every transfer gets, and one reading of curl's errors.
extension EasyHandle {
    /// The URL, the protocols it may speak, TLS verification, the timeouts (connecting within at most 10 s
    /// of the whole), and the abort a cancelled task raises.
    func prepareTransfer(
        url: String, protocols: String, tls: TLSOptions, timeout: Duration, abort: TransferAbort
    ) throws(CurlError) {
        try set(CURLOPT_URL, url)
        try set(CURLOPT_PROTOCOLS_STR, protocols)
        try self.abort(when: abort)
        let milliseconds = max(1, Int(timeout.timeInterval * 1000))
        try set(CURLOPT_TIMEOUT_MS, milliseconds)
        try set(CURLOPT_CONNECTTIMEOUT_MS, min(milliseconds, 10_000))
        if tls.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, false)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let caFile = tls.caFile { try set(CURLOPT_CAINFO, caFile) }
    }
}

extension CurlError {
    /// What went wrong, whichever protocol: the one table of curl's codes.
    enum Category: Equatable {
        case connection, timeout, tls, authentication, invalidRequest, other
    }

    var category: Category {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
            CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_ABORTED_BY_CALLBACK:
            .connection
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_USE_SSL_FAILED:
            .tls
        case CURLE_LOGIN_DENIED: .authentication
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT: .invalidRequest
        default: .other
        }
    }

    /// Why, for the attempt record; an abort says what raised it.
    var reason: String { code == CURLE_ABORTED_BY_CALLBACK ? "interrupted by shutdown" : description }
}
