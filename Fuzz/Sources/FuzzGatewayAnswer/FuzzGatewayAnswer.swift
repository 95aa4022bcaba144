import NIOCore
import SextantGateway

// Bytes → the gateway's `AnswerParser`, as a model server's answers on one upstream
// connection: status line, fields, a body framed by length, by chunks or by the close,
// then the next answer on the same connection.
//
// The first byte sets how the rest arrives: bit 0 that the requests were HEADs (answers
// without a body), bits 1–7 the size of each read (0: all in one). After each answer's end
// the next read is the answer to a new request, as when the gateway reuses the connection.

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let control = bytes.first else { return 0 }
    let stream = bytes.dropFirst()
    let toHead = control & 1 != 0
    let readSize = control >> 1 == 0 ? max(stream.count, 1) : Int(control >> 1)

    let parser = AnswerParser()
    parser.expectAnswer(toHead: toHead)
    var offset = stream.startIndex
    var ended = false
    while offset < stream.endIndex {
        if ended {
            parser.expectAnswer(toHead: toHead)
            ended = false
        }
        let end = min(offset + readSize, stream.endIndex)
        do {
            try parser.feed(ByteBuffer(bytes: stream[offset..<end])) { part in
                if case .end = part { ended = true }
            }
        } catch {
            // The connection closes on a parse error.
            return 0
        }
        offset = end
    }
    parser.closed { _ in }
    return 0
}
