import NIOCore

/// One event loop's deadline lists for the connections of one server.
final class LoopDeadlines {
    let limits: HTTPLimits
    let idle: DeadlineList
    let header: DeadlineList
    let body: DeadlineList
    let linger: DeadlineList

    init(limits: HTTPLimits, eventLoop: any EventLoop) {
        self.limits = limits
        idle = DeadlineList(eventLoop: eventLoop, timeout: limits.idleTimeout)
        header = DeadlineList(eventLoop: eventLoop, timeout: limits.headerTimeout)
        body = DeadlineList(eventLoop: eventLoop, timeout: limits.bodyTimeout)
        linger = DeadlineList(eventLoop: eventLoop, timeout: limits.lingerTime)
    }

    /// A new connection's limiter (call on this loop).
    func limiter() -> RequestLimiter {
        RequestLimiter(deadlines: self)
    }
}
