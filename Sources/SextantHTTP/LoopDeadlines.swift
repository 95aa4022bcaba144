import NIOCore

/// One event loop's deadline lists for the connections of one server.
final class LoopDeadlines {
    let limits: HTTPLimits
    let idle: DeadlineList<RequestLimiter>
    let header: DeadlineList<RequestLimiter>
    let body: DeadlineList<RequestLimiter>
    let linger: DeadlineList<RequestLimiter>

    init(limits: HTTPLimits, eventLoop: any EventLoop) {
        self.limits = limits
        idle = DeadlineList(eventLoop: eventLoop, timeout: TimeAmount(limits.idleTimeout))
        header = DeadlineList(eventLoop: eventLoop, timeout: TimeAmount(limits.headerTimeout))
        body = DeadlineList(eventLoop: eventLoop, timeout: TimeAmount(limits.bodyTimeout))
        linger = DeadlineList(eventLoop: eventLoop, timeout: TimeAmount(limits.lingerTime))
    }

    /// A new connection's limiter (call on this loop).
    func limiter() -> RequestLimiter {
        RequestLimiter(deadlines: self)
    }
}
