import NIOCore

/// A message head held back until its body's parts come, so that a small message (the
/// usual inference request or answer) goes out as one buffer: one NIO write and one iovec
/// instead of one per part. Body parts are copied into it, framed, while the whole stays
/// under `limit`; a larger part, a flush, or any other write first writes what is held.
struct HeldHead {
    /// What a held head with its body parts may reach; beyond, parts are written as they are.
    static let limit = 4096

    private var buffer: ByteBuffer?

    /// A buffer for a head whose body may follow: room for `bodyLength` more bytes when the
    /// body is known to fit.
    static func allocate(_ context: ChannelHandlerContext, bodyLength: Int?) -> ByteBuffer {
        let body = bodyLength.map { $0 <= limit - 512 ? $0 : 0 } ?? 0
        return context.channel.allocator.buffer(capacity: 512 + body)
    }

    /// Holds `head` (anything held before is written first).
    mutating func hold(_ head: ByteBuffer, context: ChannelHandlerContext) {
        write(to: context)
        buffer = head
    }

    /// Writes a body part framed by `framing`: into the held head when it fits, else after it.
    mutating func writeBody(_ part: ByteBuffer, framing: Wire.Framing, to context: ChannelHandlerContext) {
        if var held = buffer {
            // Out of the optional first: the append then never copies the held bytes.
            buffer = nil
            if held.readableBytes + part.readableBytes + 32 <= Self.limit {
                framing.appendBody(part, to: &held)
                buffer = held
                return
            }
            context.write(NIOAny(held), promise: nil)
        }
        framing.writeBody(part, to: context)
    }

    /// Ends a body framed by `framing`: its last chunk into the held head, or after it.
    mutating func writeEnd(framing: Wire.Framing, to context: ChannelHandlerContext) {
        if var held = buffer {
            buffer = nil
            framing.appendEnd(to: &held)
            buffer = held
            return
        }
        framing.writeEnd(to: context)
    }

    /// Writes what is held (without flushing): before a flush, a close, or another write.
    mutating func write(to context: ChannelHandlerContext) {
        guard let held = buffer else { return }
        buffer = nil
        context.write(NIOAny(held), promise: nil)
    }

    /// Forgets what is held (the connection is gone).
    mutating func drop() {
        buffer = nil
    }
}
