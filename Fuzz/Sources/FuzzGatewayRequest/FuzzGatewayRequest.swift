import Logging
import NIOCore
import NIOEmbedded
import SextantGateway
import SextantHTTP
import SextantWire

// Bytes → a client's connection to the gateway's inference listener: the gateway's
// `ProxyHandler` with its byte-level request parser (routing, health, `/metrics`, errors,
// pipelining, keep-alive, its `RequestLimiter`), on an `EmbeddedChannel`, with no network.
// The routing table knows one model, `m`, with no server ready, so calls to it are
// answered 503 by the gateway itself, and calls to any other model 404. Bodies over 1 KiB
// are refused (413), so that inputs of a few KiB reach that refusal too.
//
// The first byte sets how the rest arrives: bits 0–5 the size of each read (0: all in
// one), bit 6 a pause after each read longer than every timeout of `HTTPLimits` (on the
// channel's virtual clock: 408s, idle closes, the linger's end), bit 7 a graceful shutdown
// of the listener after the first read.

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let control = bytes.first else { return 0 }
    let stream = bytes.dropFirst()
    let readSize = control & 0x3F == 0 ? max(stream.count, 1) : Int(control & 0x3F)
    let pause = control & 0x40 != 0
    let quiesce = control & 0x80 != 0

    let channel = EmbeddedChannel()
    try! GatewayTarget.gateway.serveInference(on: channel)
    try! channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
    var offset = stream.startIndex
    while offset < stream.endIndex, channel.isActive {
        let end = min(offset + readSize, stream.endIndex)
        // An error the handlers pass on closes the connection, as the listener's would.
        if (try? channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))) == nil { break }
        if quiesce, offset == stream.startIndex { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        if pause { channel.embeddedEventLoop.advanceTime(by: .seconds(120)) }
        channel.embeddedEventLoop.run()
        while (try? channel.readOutbound(as: ByteBuffer.self)) ?? nil != nil {}
        offset = end
    }
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return 0
}

enum GatewayTarget {
    static let gateway = Gateway(
        routes: RoutingTable(generation: 1, models: [
            "m": ModelRoute(backends: [RouteBackend(revision: 1, version: 1, role: .stable, weight: 100, endpoints: [])]),
        ]),
        token: "fuzz", limits: HTTPLimits(maxRequestBytes: 1024), logger: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() })
}
