import AlertRelay
import CCurl
import Foundation
import NIOPosix

/// SMTP through libcurl, on its own thread pool like HTTP.
public final class CurlMailTransport: MailTransport, Sendable {
    private let threads: NIOThreadPool

    public init(threads: Int = 8) {
        self.threads = NIOThreadPool(numberOfThreads: threads)
        self.threads.start()
    }

    deinit {
        threads.shutdownGracefully { _ in }
    }

    public func send(_ mail: OutboundMail) async -> Result<Int, MailError> {
        do {
            return try await TransferAbort.run(on: threads) { abort in Self.perform(mail, abort: abort) }
        } catch {
            return .failure(MailError(kind: .other, replyCode: nil, message: "the transport is shut down"))
        }
    }

    private static func perform(_ mail: OutboundMail, abort: TransferAbort) -> Result<Int, MailError> {
        var handle: EasyHandle?
        do throws(CurlError) {
            let easy = try EasyHandle()
            handle = easy
            let hello = mail.hello.addingPercentEncoding(withAllowedCharacters: .urlHostAllowed) ?? "localhost"
            try easy.prepareTransfer(url: mail.server + "/" + hello, protocols: "smtp,smtps", tls: mail.tls, timeout: mail.timeout, abort: abort)
            if mail.server.hasPrefix("smtp://") {
                try easy.set(CURLOPT_USE_SSL, mail.requireTLS ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_NONE.rawValue))
            }
            if let username = mail.username { try easy.set(CURLOPT_USERNAME, username) }
            if let password = mail.password { try easy.set(CURLOPT_PASSWORD, String(decoding: password.bytes, as: UTF8.self)) }
            try easy.set(CURLOPT_MAIL_FROM, "<\(mail.from)>")
            try easy.setList(CURLOPT_MAIL_RCPT, mail.recipients.map { "<\($0)>" })
            let source = UploadSource(mail.message)
            try easy.setUpload(source)
            try withExtendedLifetime(source) { () throws(CurlError) in try easy.perform() }
            return .success(easy.responseCode)
        } catch {
            let reply = handle?.responseCode ?? 0
            return .failure(classify(error, replyCode: reply > 0 ? reply : nil))
        }
    }

    private static func classify(_ error: CurlError, replyCode: Int?) -> MailError {
        let kind: MailError.Kind
        switch error.category {
        case .authentication: kind = .authentication
        case .connection: kind = .connection
        case .timeout: kind = .timeout
        case .tls: kind = .tls
        case .invalidRequest, .other: kind = replyCode.map { $0 >= 400 } == true ? .rejected : .other
        }
        return MailError(kind: kind, replyCode: replyCode, message: error.reason)
    }
}
