import NIOCore

/// One event loop's requests waiting for their answers, in the order their timeouts were
/// armed. Every request gets the same timeout, so that order is also the order of their
/// deadlines: arming appends, finishing unlinks, both O(1), and a single scheduled
/// callback per loop at the earliest deadline expires what is due. (A scheduled callback
/// per request, armed and cancelled for every request, cost several percent of the
/// gateway's CPU: cancelling searches the loop's timer queue.)
final class TimeoutQueue: NIOScheduledCallbackHandler {
    private let eventLoop: any EventLoop
    let timeout: TimeAmount
    private var head: ProxyExchange?
    private unowned(unsafe) var tail: ProxyExchange?
    private var scheduled = false

    init(eventLoop: any EventLoop, timeout: TimeAmount) {
        self.eventLoop = eventLoop
        self.timeout = timeout
    }

    /// (Re)starts the exchange's timeout from now.
    func arm(_ exchange: ProxyExchange) {
        disarm(exchange)
        exchange.deadline = .now() + timeout
        exchange.timeoutPrevious = tail
        if let tail { tail.timeoutNext = exchange } else { head = exchange }
        tail = exchange
        exchange.timeoutArmed = true
        if !scheduled { schedule(at: exchange.deadline) }
    }

    func disarm(_ exchange: ProxyExchange) {
        guard exchange.timeoutArmed else { return }
        let previous = exchange.timeoutPrevious, next = exchange.timeoutNext
        if let previous { previous.timeoutNext = next } else { head = next }
        if let next { next.timeoutPrevious = previous } else { tail = previous }
        exchange.timeoutPrevious = nil
        exchange.timeoutNext = nil
        exchange.timeoutArmed = false
    }

    func handleScheduledCallback(eventLoop: some EventLoop) {
        scheduled = false
        let now = NIODeadline.now()
        while let first = head, first.deadline <= now {
            disarm(first)
            first.timedOut()
        }
        if let first = head { schedule(at: first.deadline) }
    }

    private func schedule(at deadline: NIODeadline) {
        scheduled = (try? eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: self)) != nil
    }
}
