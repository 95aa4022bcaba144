import NIOCore
import NIOEmbedded
import SextantHTTP
import SextantML
import SextantServing

// Bytes → a client's connection to the built-in model server (`sextant serve-model`): NIO's
// HTTP/1.1 request parser and the server's own handler (routing by path bytes, health,
// metadata, inference, 404s, pipelining, keep-alive, HTTP/1.0, its `RequestLimiter`), on an
// `EmbeddedChannel`, with no network. The model is that of `ModelServerTests`, served as
// `m` version 7. Bodies over 1 KiB are refused (413), so that inputs of a few KiB reach
// that refusal too.
//
// The first byte sets how the rest arrives, as in `FuzzGatewayRequest` (whose seeds this
// target shares): bits 0–5 the size of each read (0: all in one), bit 6 a pause after each
// read longer than every timeout of `HTTPLimits` (on the channel's virtual clock: 408s,
// idle closes, the linger's end), bit 7 a graceful shutdown after the first read.

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let control = bytes.first else { return 0 }
    let stream = bytes.dropFirst()
    let readSize = control & 0x3F == 0 ? max(stream.count, 1) : Int(control & 0x3F)
    let pause = control & 0x40 != 0
    let quiesce = control & 0x80 != 0

    let channel = EmbeddedChannel()
    try! ModelServerTarget.server.serveHTTP(on: channel, limits: HTTPLimits(maxRequestBytes: 1024))
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

enum ModelServerTarget {
    /// The model of `ModelServerTests`: a numeric and a categorical feature, a boolean target.
    static let server = {
        let rows = (0..<40).map { "\(Double($0) / 4),\($0 % 2 == 0 ? "eu" : "us"),\($0 >= 20)" }
        let table = try! CSVTable(Array(("x,region,y\n" + rows.joined(separator: "\n") + "\n").utf8))
        let features = [FeatureSpec(name: "x", type: .number), FeatureSpec(name: "region", type: .string)]
        let model = try! ModelTrainer.train(table, TrainingSpec(trainer: .logisticRegression, target: "y", targetType: .boolean,
                                                                features: features, trainRows: Array(0..<40)))
        return ModelServer(name: "m", version: "7", model: model)
    }()
}
