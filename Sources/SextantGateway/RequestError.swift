/// Why the gateway's `RequestParser` refused a client's bytes: each is answered 400 (the
/// request is not valid HTTP/1.1, `RequestLimiter.malformed`) and the connection closes,
/// its framing being lost. The description is what the client's `{"error": …}` quotes.
enum RequestError: Error, Equatable, CustomStringConvertible {
    /// The head is not complete within this many bytes.
    case headTooLarge(limit: Int)
    /// Not `METHOD SP TARGET SP HTTP/1.x`.
    case requestLine
    /// `HTTP/` with a version other than 1.0 and 1.1.
    case version
    /// Field line `line` (1 = the first after the request line) is malformed: its name, its value or their separator.
    case fieldName(line: Int)
    case fieldValue(line: Int)
    /// A field line starting with whitespace: obsolete line folding (RFC 9112 §5.2).
    case obsoleteFold(line: Int)
    /// A CR not followed by LF.
    case bareCR
    /// HTTP/1.1 without `Host`, or with more than one (RFC 9112 §3.2).
    case host
    /// Both `Content-Length` and `Transfer-Encoding` (RFC 9112 §6.3: request smuggling).
    case lengthAndTransferEncoding
    /// A `Content-Length` that is not a number, or several that differ.
    case contentLength
    /// A transfer coding other than `chunked` alone, or `Transfer-Encoding` in HTTP/1.0.
    case transferEncoding
    /// A chunk-size line that is not hexadecimal (with optional extensions), or is too long.
    case chunkSize
    /// Chunk data not followed by CRLF.
    case chunkEnd
    /// A trailer section over the head's size limit.
    case trailers

    var description: String {
        switch self {
        case .headTooLarge(let limit): "the request head is not complete within \(limit) bytes"
        case .requestLine: "the request line is not METHOD TARGET HTTP/1.1"
        case .version: "HTTP versions other than 1.0 and 1.1 are not served"
        case .fieldName(let line): "field line \(line): the name is not a token followed by a colon"
        case .fieldValue(let line): "field line \(line): the value has a control character"
        case .obsoleteFold(let line): "field line \(line) starts with whitespace (obsolete line folding)"
        case .bareCR: "a CR not followed by LF"
        case .host: "an HTTP/1.1 request needs exactly one Host field"
        case .lengthAndTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .contentLength: "Content-Length is not one decimal number"
        case .transferEncoding: "Transfer-Encoding other than chunked, or in an HTTP/1.0 request"
        case .chunkSize: "a chunk size is not a hexadecimal number"
        case .chunkEnd: "chunk data is not followed by CRLF"
        case .trailers: "the trailer section is too large"
        }
    }
}
