import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import SextantHTTP

/// Hummingbird's HTTP/1.1 child channel with the data plane's `HTTPLimits`: a
/// `RequestLimitsHandler` right after NIO's request decoder. Hummingbird's own hook
/// (`additionalChannelHandlers`) sits after its conversion to HTTPTypes parts, where a
/// parser error has already become Hummingbird's bare 400 and a head that is still
/// arriving cannot be told from a quiet connection; so the channel is set up here, around
/// `HTTP1Channel`, and handled by it unchanged.
struct LimitedHTTP1Channel: ServerChildChannel {
    let base: HTTP1Channel
    let limits: RequestLimits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let limits = limits
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(limits.handler(on: channel.eventLoop), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with `HTTPLimits` (see `LimitedHTTP1Channel`).
    static func limitedHTTP1(_ limits: RequestLimits) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            LimitedHTTP1Channel(base: HTTP1Channel(responder: responder), limits: limits)
        }
    }
}
