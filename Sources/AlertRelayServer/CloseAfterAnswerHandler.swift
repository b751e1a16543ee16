import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Honours `Connection: close` on an answer (RFC 9112 §9.6): once the answer is written, the server stops
/// sending and, after a short linger that lets the client read it, closes the connection. Hummingbird closes
/// only when the request asked to; without this, a client refused before its body was read (401, 413) kept
/// its connection until a timeout, draining whatever it sent.
final class CloseAfterAnswerHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long the client may take to read the answer before the connection is closed in both directions.
    let linger: TimeAmount
    private var closing = false

    init(linger: TimeAmount = .seconds(2)) {
        self.linger = linger
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            closing = closing || response.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .end:
            guard closing else { return context.write(data, promise: promise) }
            let channel = context.channel
            let linger = self.linger
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            written.futureResult.whenComplete { _ in
                // Half-close first: the client reads the answer and sees the end of it; a full close with
                // unread request bytes would send a reset that can destroy the answer on the way.
                channel.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
            }
            context.writeAndFlush(data, promise: written)
        case .body:
            context.write(data, promise: promise)
        }
    }
}
