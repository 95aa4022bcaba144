import NIOCore

/// One event loop's connections waiting for one kind of deadline (idle, header, body,
/// linger), in the order they were armed. Every entry gets the same timeout, so that order
/// is also the order of their deadlines: arming appends, disarming unlinks, both O(1), and
/// a single scheduled callback per list at the earliest deadline expires what is due. It is
/// never cancelled: when it fires early (its entry left), it is scheduled again for the new
/// first. (The gateway's `TimeoutQueue` does the same for answers: a timer per request,
/// scheduled and cancelled, costs several percent of a proxy's CPU.)
final class DeadlineList: NIOScheduledCallbackHandler {
    private let eventLoop: any EventLoop
    let timeout: TimeAmount
    private var head: RequestLimiter?
    private unowned(unsafe) var tail: RequestLimiter?
    private var scheduled = false

    init(eventLoop: any EventLoop, timeout: Duration) {
        self.eventLoop = eventLoop
        let (seconds, attoseconds) = timeout.components
        self.timeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Arms the limiter's deadline, from now; it leaves the list it was in.
    func append(_ limiter: RequestLimiter) {
        limiter.list?.remove(limiter)
        limiter.deadline = eventLoop.now + timeout
        limiter.previous = tail
        if let tail { tail.next = limiter } else { head = limiter }
        tail = limiter
        limiter.list = self
        if !scheduled { schedule(at: limiter.deadline) }
    }

    func remove(_ limiter: RequestLimiter) {
        guard limiter.list === self else { return }
        let previous = limiter.previous, next = limiter.next
        if let previous { previous.next = next } else { head = next }
        if let next { next.previous = previous } else { tail = previous }
        limiter.previous = nil
        limiter.next = nil
        limiter.list = nil
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        scheduled = false
        let now = self.eventLoop.now
        while let first = head, first.deadline <= now {
            remove(first)
            first.expired(self)
        }
        if let first = head { schedule(at: first.deadline) }
    }

    private func schedule(at deadline: NIODeadline) {
        scheduled = (try? eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: self)) != nil
    }
}
