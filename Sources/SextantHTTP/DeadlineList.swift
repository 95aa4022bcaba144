package import NIOCore

/// Something that waits in a `DeadlineList`: it holds its own links, so arming and
/// disarming allocate nothing.
package protocol DeadlineListEntry: AnyObject {
    /// Its place in the list it is in; only `DeadlineList` changes it.
    var deadlineLink: DeadlineLink<Self> { get set }
    /// Its deadline in `list` passed; it is out of the list already.
    func deadlinePassed(in list: DeadlineList<Self>)
}

/// An entry's place in a `DeadlineList`.
package struct DeadlineLink<Entry: DeadlineListEntry> {
    /// The list it waits in, nil when in none.
    package fileprivate(set) unowned(unsafe) var list: DeadlineList<Entry>?
    fileprivate var deadline = NIODeadline.uptimeNanoseconds(0)
    fileprivate var next: Entry?
    fileprivate unowned(unsafe) var previous: Entry?

    package init() {}
}

/// One event loop's entries waiting for one kind of deadline (a connection's idle, header,
/// body or linger time; a proxied request's answer), in the order they were armed. Every
/// entry gets the same timeout, so that order is also the order of their deadlines:
/// arming appends, disarming unlinks, both O(1), and a single scheduled callback per list
/// at the earliest deadline expires what is due. It is never cancelled: when it fires
/// early (its entry left), it is scheduled again for the new first. (A timer per request,
/// scheduled and cancelled, cost several percent of the gateway's CPU: cancelling searches
/// the loop's timer queue.)
package final class DeadlineList<Entry: DeadlineListEntry>: NIOScheduledCallbackHandler {
    private let eventLoop: any EventLoop
    private let timeout: TimeAmount
    private var head: Entry?
    private unowned(unsafe) var tail: Entry?
    private var scheduled = false

    package init(eventLoop: any EventLoop, timeout: TimeAmount) {
        self.eventLoop = eventLoop
        self.timeout = timeout
    }

    /// Arms the entry's deadline, from now; it leaves the list it was in.
    package func append(_ entry: Entry) {
        entry.deadlineLink.list?.remove(entry)
        let deadline = eventLoop.now + timeout
        entry.deadlineLink.deadline = deadline
        entry.deadlineLink.previous = tail
        if let tail { tail.deadlineLink.next = entry } else { head = entry }
        tail = entry
        entry.deadlineLink.list = self
        if !scheduled { schedule(at: deadline) }
    }

    /// Disarms the entry if it waits in this list.
    package func remove(_ entry: Entry) {
        guard entry.deadlineLink.list === self else { return }
        let previous = entry.deadlineLink.previous, next = entry.deadlineLink.next
        if let previous { previous.deadlineLink.next = next } else { head = next }
        if let next { next.deadlineLink.previous = previous } else { tail = previous }
        entry.deadlineLink = DeadlineLink()
    }

    package func handleScheduledCallback(eventLoop: some EventLoop) {
        scheduled = false
        let now = self.eventLoop.now
        while let first = head, first.deadlineLink.deadline <= now {
            remove(first)
            first.deadlinePassed(in: self)
        }
        if let first = head { schedule(at: first.deadlineLink.deadline) }
    }

    private func schedule(at deadline: NIODeadline) {
        scheduled = (try? eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: self)) != nil
    }
}
