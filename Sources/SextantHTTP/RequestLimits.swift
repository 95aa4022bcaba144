package import NIOCore

/// One server's `HTTPLimits` with each of its event loops' `LoopDeadlines`, made on first
/// use: the maker of its connections' `RequestLimiter`s.
///
/// The gateway and `serve-model` share this target rather than each having its own copy;
/// each drives a `RequestLimiter` from its own last handler (no extra handler on its hot
/// path). It depends on SwiftNIO only.
package final class RequestLimits: Sendable {
    package let limits: HTTPLimits
    private let loops: [ObjectIdentifier: NIOLoopBoundBox<LoopDeadlines?>]

    /// - Parameter group: the loops the server's connections live on (others work too,
    ///   with deadline lists of their own per connection).
    package init(_ limits: HTTPLimits, group: any EventLoopGroup) {
        self.limits = limits
        var loops: [ObjectIdentifier: NIOLoopBoundBox<LoopDeadlines?>] = [:]
        for eventLoop in group.makeIterator() {
            loops[ObjectIdentifier(eventLoop)] = NIOLoopBoundBox.makeEmptyBox(valueType: LoopDeadlines.self, eventLoop: eventLoop)
        }
        self.loops = loops
    }

    /// The deadline lists of `eventLoop` (call on it).
    func deadlines(on eventLoop: any EventLoop) -> LoopDeadlines {
        guard let box = loops[ObjectIdentifier(eventLoop)] else { return LoopDeadlines(limits: limits, eventLoop: eventLoop) }
        if let deadlines = box.value { return deadlines }
        let deadlines = LoopDeadlines(limits: limits, eventLoop: eventLoop)
        box.value = deadlines
        return deadlines
    }

    /// A connection's limiter (call on its loop).
    package func limiter(on eventLoop: any EventLoop) -> RequestLimiter {
        deadlines(on: eventLoop).limiter()
    }
}
