import NIOCore
import Testing
@testable import SextantGateway

/// The writer of message heads: pieces and numbers as `ByteBuffer`'s own writes and
/// `String(_:)` would write them, after what the buffer held.
@Suite struct HeadWriterTests {
    @Test(arguments: [0, 7, 9, 10, 99, 100, 200, 404, 65_535, 1_000_000, -1, -120, Int.max, Int.min])
    func numbersAreWrittenAsStringWritesThem(number: Int) {
        var buffer = ByteBuffer(string: "<")
        HeadWriter.write(into: &buffer, atMost: 24) { writer in writer.append(decimal: number) }
        #expect(String(buffer: buffer) == "<" + String(number))
    }

    @Test func piecesFollowWhatTheBufferHeld() {
        var buffer = ByteBuffer(string: "HTTP/1.1 ")
        let reason = ByteBuffer(string: "OK")
        HeadWriter.write(into: &buffer, atMost: 64) { writer in
            writer.append(decimal: 200)
            writer.append(" ")
            writer.append(reason)
            writer.append("\r\nX-Request-Id: ")
            writer.append("01JDZ3Q9Y8K5V2W7X4M6N1P0R3")
            writer.append("\r\n\r\n")
            #expect(writer.count == 52)
        }
        #expect(String(buffer: buffer) == "HTTP/1.1 200 OK\r\nX-Request-Id: 01JDZ3Q9Y8K5V2W7X4M6N1P0R3\r\n\r\n")
    }
}
