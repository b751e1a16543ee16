import CCurl
import Foundation
import NIOPosix
import Synchronization

/// libcurl's error for one call, with curl's own message.
struct CurlError: Error, CustomStringConvertible {
    var code: CURLcode
    var detail: String

    var description: String {
        let message = String(cString: curl_easy_strerror(code))
        return detail.isEmpty ? message : "\(message): \(detail)"
    }
}

/// Owns one `CURL *` from `curl_easy_init` to `curl_easy_cleanup`, and the header list and callbacks' state
/// that must outlive a transfer. A handle keeps its connections between transfers (`reset()` keeps them), so
/// reusing one saves a TCP (and TLS) handshake per delivery.
// @unchecked: libcurl allows one thread at a time per handle; HandlePool hands each to one transfer only.
final class EasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var ownedLists: [UnsafeMutablePointer<curl_slist>?] = []
    /// libcurl writes its message here; it must stay put for the handle's life.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// `curl_global_init` once per process, before the first handle.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    init() throws(CurlError) {
        guard Self.globalInit == CURLE_OK else { throw CurlError(code: Self.globalInit, detail: "curl_global_init") }
        guard let handle = curl_easy_init() else { throw CurlError(code: CURLE_FAILED_INIT, detail: "curl_easy_init") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try prepare()
    }

    deinit {
        curl_easy_cleanup(handle)
        freeLists()
        errorBuffer.deallocate()
    }

    /// Back to a fresh handle's options, keeping its live connections for the next transfer.
    func reset() throws(CurlError) {
        curl_easy_reset(handle)
        freeLists()
        errorBuffer[0] = 0
        try prepare()
    }

    private func prepare() throws(CurlError) {
        try check(ar_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try set(CURLOPT_NOSIGNAL, 1)  // required when several threads use libcurl
    }

    private func freeLists() {
        curl_slist_free_all(headerList)
        headerList = nil
        for list in ownedLists { curl_slist_free_all(list) }
        ownedLists = []
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(ar_curl_setopt_long(handle, option, value))
    }

    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(value.withCString { ar_curl_setopt_string(handle, option, $0) })
    }

    func set(_ option: CURLoption, _ value: Bool) throws(CurlError) {
        try set(option, value ? 1 : 0)
    }

    func setBody(_ body: [UInt8]) throws(CurlError) {
        try check(ar_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
        // COPYPOSTFIELDS copies, so the bytes need not outlive this call.
        try check(body.withUnsafeBytes { ar_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)) })
    }

    /// The upload for SMTP: libcurl pulls the message through the read callback.
    func setUpload(_ source: UploadSource) throws(CurlError) {
        try set(CURLOPT_UPLOAD, true)
        try check(ar_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(source.bytes.count)))
        try check(ar_curl_setopt_callback(handle, CURLOPT_READFUNCTION, { buffer, size, count, userdata in
            guard let userdata, let buffer else { return 0 }
            let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
            return source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
        }))
        try check(ar_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque()))
    }

    /// Ends the transfer (`CURLE_ABORTED_BY_CALLBACK`) soon after `abort` is raised: libcurl asks its progress
    /// callback at least once a second, also while it waits for a server that says nothing.
    func abort(when abort: TransferAbort) throws(CurlError) {
        try check(ar_curl_setopt_xferinfo(handle, { userdata, _, _, _, _ in
            guard let userdata else { return 0 }
            return Unmanaged<TransferAbort>.fromOpaque(userdata).takeUnretainedValue().isRaised ? 1 : 0
        }))
        try check(ar_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(abort).toOpaque()))
        try set(CURLOPT_NOPROGRESS, false)
    }

    /// A string list option (`CURLOPT_MAIL_RCPT`), owned by this handle.
    func setList(_ option: CURLoption, _ values: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values { list = curl_slist_append(list, value) }
        ownedLists.append(list)
        try check(ar_curl_setopt_slist(handle, option, list))
    }

    /// The last response code: HTTP status, or the SMTP reply code (also after a failure).
    var responseCode: Int {
        var code = 0
        _ = ar_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    func setHeaders(_ headers: [(name: String, value: String)]) throws(CurlError) {
        curl_slist_free_all(headerList)
        headerList = nil
        for (name, value) in headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        try check(ar_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
    }

    /// Runs the transfer, blocking the calling thread; the collector receives the answer's headers and body.
    func perform(into collector: ResponseCollector) throws(CurlError) -> Int {
        let userdata = Unmanaged.passUnretained(collector).toOpaque()
        try check(ar_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, userdata in
            guard let userdata, let data else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
            collector.appendBody(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }))
        try check(ar_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata))
        try check(ar_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, userdata in
            guard let userdata, let data else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
            collector.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }))
        try check(ar_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata))
        let code = withExtendedLifetime(collector) { curl_easy_perform(handle) }
        try check(code)
        var status = 0
        try check(ar_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        return status
    }

    /// Runs a transfer that has no answer body to collect (SMTP).
    func perform() throws(CurlError) {
        try check(curl_easy_perform(handle))
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw CurlError(code: code, detail: detail)
        }
    }
}

/// Raised when the task that waits for a transfer is cancelled (a shutdown past its grace): the transfer ends
/// instead of holding the process until the sink's timeout.
final class TransferAbort: Sendable {
    private let raised = Atomic<Bool>(false)

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    func raise() { raised.store(true, ordering: .relaxed) }

    /// Runs `transfer` on `threads`, raising the abort if the calling task is cancelled meanwhile.
    static func run<T: Sendable>(on threads: NIOThreadPool, _ transfer: @escaping @Sendable (TransferAbort) -> T) async throws -> T {
        let abort = TransferAbort()
        return try await withTaskCancellationHandler {
            try await threads.runIfActive { transfer(abort) }
        } onCancel: {
            abort.raise()
        }
    }
}

/// Feeds an upload to libcurl's read callback.
final class UploadSource {
    let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
        }
        offset += count
        return count
    }
}

/// Collects an answer: header lines (the last response's, when redirects are followed) and the first bytes
/// of the body.
final class ResponseCollector {
    let bodyLimit: Int
    private(set) var body: [UInt8] = []
    private(set) var headers: [(name: String, value: String)] = []

    init(bodyLimit: Int) { self.bodyLimit = bodyLimit }

    func appendBody(_ bytes: UnsafeRawBufferPointer) {
        let room = bodyLimit - body.count
        if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
    }

    /// One header line as curl hands it over (with its CRLF). Bytes, not Foundation's trimming: this runs for
    /// every header of every answer.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return }
        let line = bytes[first...last]
        if line.starts(with: "HTTP/".utf8) {
            headers = []  // a new response (after a redirect or a 100 Continue)
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let value = line[(colon + 1)...].drop(while: isSpace)
            headers.append((String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
    }
}

/// Idle easy handles for reuse: each transfer takes one (or a new one) and gives it back reset, so
/// connections to a sink stay open between deliveries.
final class HandlePool: Sendable {
    private let idle = Mutex<[EasyHandle]>([])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func take() throws(CurlError) -> EasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return try EasyHandle()
    }

    func giveBack(_ handle: EasyHandle) {
        guard (try? handle.reset()) != nil else { return }
        idle.withLock { handles in
            if handles.count < capacity { handles.append(handle) }
        }
    }
}
