import NIOCore
package import NIOHTTP1

/// What a `RequestLimiter` tells its connection's handler when a deadline passes.
package protocol RequestLimiterDelegate: AnyObject {
    /// Acts on the verdict: `.refuse`, `.drop` or `.close` (never `.proceed` or `.hold`).
    func requestLimiter(_ limiter: RequestLimiter, decided verdict: RequestLimiter.Verdict)
}

/// One connection's `HTTPLimits`: told what the request parser delivers, when the server
/// reads and when its answers begin and end, it decides when a request is refused and
/// whether the refusal can still be answered. The connection's handler calls it on its
/// event loop; it keeps no timer of its own but a place in its loop's `DeadlineList`s.
///
/// Its cost on a request that arrives in one read and is answered is a few stores and
/// one clock read (the idle deadline armed at the end of the answer): no allocation, no
/// lock, no timer scheduled or cancelled.
///
/// Pipelined requests are counted as they arrive: a refusal is answered only when the
/// answers to the requests before it are complete, and never once an answer to the
/// refused request has begun (then the connection just closes).
package final class RequestLimiter: DeadlineListEntry {
    /// What the handler does next.
    package enum Verdict {
        /// Go on.
        case proceed
        /// Answer the refusal now (`Connection: close`), then stop writing and drop what
        /// still comes, until the client closes or the linger deadline passes (`.close`).
        case refuse(Refusal)
        /// The refused request's answer has begun or was given: no answer; stop writing
        /// (an answer under way may be cut) and drop what comes, as after `.refuse`.
        case drop(Refusal)
        /// Answers to earlier, pipelined requests are under way: drop what comes; the
        /// refusal is answered after them (`answerEnded()` returns `.refuse`).
        case hold(Refusal)
        /// Close now, without a word: idle, or the lingering after a refusal is over.
        case close
    }

    private enum Phase {
        /// No request in progress: waiting for the first byte of the next one.
        case between
        /// Bytes of a head arrived; the head is not complete.
        case head
        /// The head was read; its body (maybe empty) is in progress.
        case body(received: Int, expected: Int?)
        /// Refused: whatever arrives is dropped.
        case refused
    }

    package weak var delegate: (any RequestLimiterDelegate)?
    let deadlines: LoopDeadlines
    private var limits: HTTPLimits { deadlines.limits }
    private var phase = Phase.between
    /// Requests whose head arrived, and answers complete.
    private var requests = 0
    private var answered = 0
    /// Whether the answer after the `answered` ones has begun.
    private var answerBegun = false
    /// A refusal waiting for the answers before it, and which request it refuses.
    private var held: Refusal?
    private var heldRequest = 0
    /// Whether the read in progress delivered a part: one that delivers none while no
    /// request is in progress began a head.
    private var partsThisRead = false

    /// Its place in one of its loop's deadline lists.
    package var deadlineLink = DeadlineLink<RequestLimiter>()
    private var list: DeadlineList<RequestLimiter>? { deadlineLink.list }

    init(deadlines: LoopDeadlines) {
        self.deadlines = deadlines
    }

    /// Whether a request was refused: what arrives from now on is dropped.
    package var isRefused: Bool {
        if case .refused = phase { return true }
        return false
    }

    /// The connection is open: it waits for its first request (the idle timeout).
    package func start() {
        guard case .between = phase, list == nil else { return }
        deadlines.idle.append(self)
    }

    /// The connection closed, or the handler left it: no more deadlines.
    package func stop() {
        list?.remove(self)
        phase = .refused
        held = nil
        delegate = nil
    }

    // MARK: - The request, as the parser delivers it

    /// A request head: refused at once when its `Content-Length` is over the limit.
    package func head(_ head: HTTPRequestHead) -> Verdict {
        let length = head.headers.first(name: "content-length")
        // The parser has checked it is a number; one too large for Int is over any limit.
        return self.head(contentLength: length.map { Int($0) ?? Int.max }, declared: length ?? "")
    }

    /// A request head read by a parser of the server's own: `contentLength` is its
    /// `Content-Length` (`Int.max` when too large for `Int`), `declared` that field as the
    /// client wrote it (for the message of a refusal).
    package func head(contentLength: Int?, declared: @autoclosure () -> String) -> Verdict {
        partsThisRead = true
        requests += 1
        if list != nil { list!.remove(self) }
        if let contentLength, contentLength > limits.maxRequestBytes {
            return refuse(Refusal(.tooLarge, "the request body is \(declared()) bytes; this server takes at most \(limits.maxRequestBytes) (--max-request-bytes)"),
                          request: requests)
        }
        phase = .body(received: 0, expected: contentLength)
        return .proceed
    }

    /// A part of a body: a chunked body is refused once it grows past the limit.
    package func body(_ bytes: Int) -> Verdict {
        partsThisRead = true
        guard case .body(var received, let expected) = phase else { return .proceed }
        received += bytes
        if received > limits.maxRequestBytes {
            return refuse(Refusal(.tooLarge, "the request body is more than \(limits.maxRequestBytes) bytes; this server takes at most \(limits.maxRequestBytes) (--max-request-bytes)"),
                          request: requests)
        }
        phase = .body(received: received, expected: expected)
        return .proceed
    }

    /// The end of a request.
    package func end() {
        partsThisRead = true
        guard case .body = phase else { return }
        phase = .between
    }

    /// The parser refused the input: the request it belongs to gets 400.
    package func malformed(_ error: any Error) -> Verdict {
        switch phase {
        case .refused:
            return .proceed
        case .body:
            return refuse(Refusal(.malformed, "the request is not valid HTTP/1.1 (\(error)) and its connection closes"), request: requests)
        case .between, .head:
            return refuse(Refusal(.malformed, "the request is not valid HTTP/1.1 (\(error)) and its connection closes"), request: requests + 1)
        }
    }

    // MARK: - Reads

    /// A read is over (the parser has delivered what it could of it).
    package func readComplete() {
        defer { partsThisRead = false }
        switch phase {
        case .between:
            if !partsThisRead {
                // Bytes the parser kept: the head of the next request has begun.
                phase = .head
                if list !== deadlines.header { deadlines.header.append(self) }
            } else if answered == requests, list == nil {
                // A request answered early whose body has now ended.
                deadlines.idle.append(self)
            }
        case .body:
            // Re-armed when the server reads again: a pause that is the server's own
            // (backpressure) is no stall of the client.
            if list === deadlines.body { deadlines.body.remove(self) }
        case .head, .refused:
            break
        }
    }

    /// The server asks for more bytes: a head or body in progress is now waited for.
    package func readRequested() {
        switch phase {
        case .head:
            if list !== deadlines.header { deadlines.header.append(self) }
        case .body:
            if list !== deadlines.body { deadlines.body.append(self) }
        case .between, .refused:
            break
        }
    }

    /// The server holds its reads (backpressure): nothing is waited for meanwhile.
    package func readHeld() {
        if let list, list === deadlines.header || list === deadlines.body { list.remove(self) }
    }

    // MARK: - Answers

    /// The first byte of an answer goes out (informational `1xx` answers do not count).
    package func answerBegan() {
        answerBegun = true
    }

    /// An answer is complete: a held refusal may be answered now.
    package func answerEnded() -> Verdict {
        answered += 1
        answerBegun = false
        if let refusal = held, answered == heldRequest - 1 {
            held = nil
            deadlines.linger.append(self)
            return .refuse(refusal)
        }
        if case .between = phase, answered == requests, list == nil {
            deadlines.idle.append(self)
        }
        return .proceed
    }

    // MARK: - Refusals and deadlines

    /// Whether the refusal of request number `request` can be answered now, later, or not.
    private func refuse(_ refusal: Refusal, request: Int) -> Verdict {
        phase = .refused
        if list != nil { list!.remove(self) }
        if answered >= request || (answered == request - 1 && answerBegun) {
            deadlines.linger.append(self)
            return .drop(refusal)
        }
        if answered == request - 1 {
            deadlines.linger.append(self)
            return .refuse(refusal)
        }
        held = refusal
        heldRequest = request
        return .hold(refusal)
    }

    /// Its deadline in `list` passed (it is out of the list already).
    package func deadlinePassed(in list: DeadlineList<RequestLimiter>) {
        let verdict: Verdict
        if list === deadlines.header {
            verdict = refuse(Refusal(.headerTimeout, "the request head was not complete within \(HTTPLimits.describe(limits.headerTimeout)) (header timeout)"),
                             request: requests + 1)
        } else if list === deadlines.body {
            guard case .body(let received, let expected) = phase else { return }
            let message = expected.map { "the request body is short: \(received) of its \($0) bytes arrived, then nothing for \(HTTPLimits.describe(limits.bodyTimeout)) (body timeout)" }
                ?? "the request body stalled: \(received) bytes arrived, then nothing for \(HTTPLimits.describe(limits.bodyTimeout)) (body timeout)"
            verdict = refuse(Refusal(.bodyTimeout, message), request: requests)
        } else {
            // Idle, or lingering after a refusal.
            phase = .refused
            held = nil
            verdict = .close
        }
        if case .hold = verdict { return }
        delegate?.requestLimiter(self, decided: verdict)
    }
}
