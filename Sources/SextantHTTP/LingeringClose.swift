package import NIOCore

extension ChannelHandlerContext {
    /// The lingering close of a refused request's connection (`HTTPLimits.lingerTime`):
    /// what was written goes out, then the end of output (NIO shuts the socket's output once
    /// its pending writes are written), and reading goes on so that what the client still
    /// sends is read and dropped until it closes or the linger deadline closes the
    /// connection. Where the output cannot be shut alone, the connection closes at once.
    /// The handler must drop whatever it reads from here on.
    package func closeOutputLingering() {
        flush()
        let promise = eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        promise.futureResult.whenFailure { _ in loopBound.value.close(promise: nil) }
        close(mode: .output, promise: promise)
        read()
    }
}
