import NIOCore

/// A copy of a client's request sent to a mirror revision (shadow, preview) once the
/// request is complete. Its answer is counted as a sample of the mirror and compared with
/// the served answer, never returned: nothing it does reaches the client. Runs on the loop
/// of the client's connection, on a connection of its own.
final class MirrorExchange: UpstreamDelegate {
    private let gateway: Gateway
    private let pool: UpstreamPool
    private let counters: Shard
    private let eventLoop: any EventLoop
    private let model: String
    private let target: RouteTable.Target
    private let head: RequestHead
    private let body: [ByteBuffer]
    private let pair: AnswerPair

    private var upstream: UpstreamConnection?
    private var reused = false
    private var reconnected = false
    private var finished = false
    private var started = NIODeadline.now()
    private var status = 0
    private var keepAlive = true
    private var answer: ByteBuffer?
    private var timeoutTask: Scheduled<Void>?

    init(gateway: Gateway, pool: UpstreamPool, eventLoop: any EventLoop, model: String, target: RouteTable.Target, head: RequestHead,
         body: [ByteBuffer], pair: AnswerPair) {
        self.gateway = gateway
        self.pool = pool
        self.counters = pool.counters
        self.eventLoop = eventLoop
        self.model = model
        self.target = target
        self.head = head
        self.body = body
        self.pair = pair
    }

    func start() {
        counters.begin(model: model, revision: target.revision)
        started = .now()
        timeoutTask = eventLoop.assumeIsolated().scheduleTask(in: gateway.timeout) { [self] in timedOut() }
        connect(fresh: false)
    }

    private func connect(fresh: Bool) {
        if !fresh, let connection = pool.take(target.upstream) {
            attach(connection)
            return
        }
        pool.connect(target.upstream) { [self] result in
            switch result {
            case .success(let connection):
                if finished { pool.release(connection) } else { attach(connection) }
            case .failure:
                if !finished { finish(.failed) }
            }
        }
    }

    private func attach(_ connection: UpstreamConnection) {
        upstream = connection
        connection.attach(self)
        reused = connection.exchanges > 1
        connection.writeHead(head, pathPrefix: target.pathPrefix)
        for buffer in body { connection.writeBody(buffer) }
        connection.writeEnd()
        connection.flush()
    }

    var upstreamMayRead: Bool { true }

    func upstreamBecameWritable(_ connection: UpstreamConnection) {}

    func upstreamReadComplete(_ connection: UpstreamConnection) {}

    func upstream(_ connection: UpstreamConnection, received part: AnswerPart) {
        guard !finished else { return }
        switch part {
        case .head(let head):
            status = head.status
            keepAlive = head.keepAlive
            answer = (200..<300).contains(status) && !head.binary ? ByteBuffer() : nil
        case .body(let buffer):
            if answer != nil {
                if answer!.readableBytes + buffer.readableBytes > ProxyExchange.comparedLimit { answer = nil } else { answer!.writeImmutableBuffer(buffer) }
            }
        case .end:
            if let upstream {
                self.upstream = nil
                if keepAlive { pool.release(upstream) } else { upstream.close() }
            }
            finish(.answered(status: status, microseconds: elapsed()))
        }
    }

    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?) {
        guard !finished, connection === upstream else { return }
        upstream = nil
        if status == 0 && reused && !reconnected {
            // A pooled connection its server had closed: not the revision's failure.
            reconnected = true
            connect(fresh: true)
            return
        }
        finish(.failed)
    }

    private func timedOut() {
        guard !finished else { return }
        upstream?.close()
        upstream = nil
        finish(.timedOut(microseconds: elapsed()))
    }

    private func finish(_ outcome: TrafficCounters.Outcome) {
        finished = true
        timeoutTask?.cancel()
        counters.finish(model: model, revision: target.revision, outcome, counted: true, mirror: true)
        gateway.releaseMirror(model: model)
        if case .answered = outcome { pair.mirrored(answer) } else { pair.mirrored(nil) }
    }

    private func elapsed() -> UInt64 {
        let nanoseconds = (NIODeadline.now() - started).nanoseconds
        return nanoseconds > 0 ? UInt64(nanoseconds / 1000) : 0
    }
}
