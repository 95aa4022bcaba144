// nio-relay — the floor of any SwiftNIO proxy, for bench/gateway: each client connection gets
// one upstream connection on the same event loop, and bytes go through untouched both ways
// (no HTTP parsing, no routing, no counters, no log). What it costs per request is what
// SwiftNIO itself costs for the reads and writes a proxy cannot avoid; the gateway adds its
// own work on top. Not part of Sextant: a measuring stick.
//
// usage: nio-relay LISTEN_PORT UPSTREAM_PORT   (both on 127.0.0.1)
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif


/// Reads one side and writes what it read to the other side, flushing once per read burst.
final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The other side; nil until the upstream connection is up (the client's first bytes wait).
    var peer: (any Channel)?
    private var waiting: [ByteBuffer] = []

    func connected(to peer: any Channel) {
        self.peer = peer
        for buffer in waiting { peer.write(buffer, promise: nil) }
        waiting = []
        peer.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let peer { peer.write(buffer, promise: nil) } else { waiting.append(buffer) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        peer?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let listenPort = Int(arguments[1]), let upstreamPort = Int(arguments[2]) else {
    print("usage: nio-relay LISTEN_PORT UPSTREAM_PORT")
    exit(2)
}

let group = MultiThreadedEventLoopGroup.singleton
let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { client in
        let inbound = NIOLoopBound(Relay(), eventLoop: client.eventLoop)
        return client.eventLoop.makeCompletedFuture { try client.pipeline.syncOperations.addHandler(inbound.value) }.flatMap {
            ClientBootstrap(group: client.eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { upstream in
                    let outbound = Relay()
                    outbound.peer = client
                    return upstream.eventLoop.makeCompletedFuture { try upstream.pipeline.syncOperations.addHandler(outbound) }
                }
                .connect(host: "127.0.0.1", port: upstreamPort)
                .map { upstream in inbound.value.connected(to: upstream) }
        }
    }
    .bind(host: "127.0.0.1", port: listenPort)
    .wait()
try server.closeFuture.wait()
