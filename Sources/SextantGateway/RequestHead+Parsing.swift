import NIOCore

extension RequestHead {
    /// Reads a whole head (`bytes`: from the request line through the empty line), strictly
    /// (RFC 9112): a token method, a target of visible ASCII, HTTP/1.0 or HTTP/1.1; field
    /// names of token characters right before their colon, values without control
    /// characters, no obsolete line folding, no CR but before LF (a bare LF ends a line, as
    /// RFC 9112 §2.2 allows); one `Host` in HTTP/1.1; one `Content-Length` value, never
    /// with `Transfer-Encoding`, which may only say `chunked` (in HTTP/1.1).
    static func parse(_ bytes: ByteBuffer) throws(RequestError) -> RequestHead {
        let result = bytes.withUnsafeReadableBytes { raw in
            Result { () throws(RequestError) -> RequestHead in try parse(raw, bytes: bytes) }
        }
        return try result.get()
    }

    private static func parse(_ line: UnsafeRawBufferPointer, bytes: ByteBuffer) throws(RequestError) -> RequestHead {
        // The request line.
        var index = 0
        while index < line.count && FieldName.isToken(line[index]) { index += 1 }
        let methodRange = 0..<index
        guard !methodRange.isEmpty, index < line.count, line[index] == UInt8(ascii: " ") else { throw .requestLine }
        index += 1
        let targetStart = index
        while index < line.count && line[index] > 0x20 && line[index] < 0x7F { index += 1 }
        let targetRange = targetStart..<index
        guard !targetRange.isEmpty, index + 9 <= line.count, line[index] == UInt8(ascii: " ") else { throw .requestLine }
        index += 1
        guard line[index] == UInt8(ascii: "H"), line[index + 1] == UInt8(ascii: "T"), line[index + 2] == UInt8(ascii: "T"),
              line[index + 3] == UInt8(ascii: "P"), line[index + 4] == UInt8(ascii: "/") else { throw .requestLine }
        guard line[index + 5] == UInt8(ascii: "1"), line[index + 6] == UInt8(ascii: "."),
              line[index + 7] == UInt8(ascii: "0") || line[index + 7] == UInt8(ascii: "1") else { throw .version }
        let minorVersion = Int(line[index + 7] - UInt8(ascii: "0"))
        index += 8
        index = try lineEnd(line, at: index)

        var head = RequestHead(bytes: bytes, method: method(UnsafeRawBufferPointer(rebasing: line[methodRange])), methodRange: methodRange,
                               targetRange: targetRange, minorVersion: minorVersion, fieldsStart: index)
        var hosts = 0
        var transferEncodings = 0
        var closeToken = false, keepAliveToken = false
        var number = 0
        // The field lines, until the empty line.
        while true {
            number += 1
            let start = index
            if line[index] == UInt8(ascii: "\r") || line[index] == UInt8(ascii: "\n") {
                _ = try lineEnd(line, at: index)
                break
            }
            if FieldName.isWhitespace(line[index]) { throw .obsoleteFold(line: number) }
            while FieldName.isToken(line[index]) { index += 1 }
            guard index > start, line[index] == UInt8(ascii: ":") else { throw .fieldName(line: number) }
            let name = UnsafeRawBufferPointer(rebasing: line[start..<index])
            index += 1
            while FieldName.isWhitespace(line[index]) { index += 1 }
            let valueStart = index
            while line[index] >= 0x20 && line[index] != 0x7F || line[index] == UInt8(ascii: "\t") { index += 1 }
            var valueEnd = index
            guard line[index] == UInt8(ascii: "\r") || line[index] == UInt8(ascii: "\n") else { throw .fieldValue(line: number) }
            index = try lineEnd(line, at: index)
            while valueEnd > valueStart && FieldName.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
            let valueRange = valueStart..<valueEnd
            let value = UnsafeRawBufferPointer(rebasing: line[valueRange])
            switch FieldName.kind(of: name) {
            case .host:
                hosts += 1
            case .contentLength:
                let length = try contentLength(value)
                if let known = head.contentLength, known != length { throw .contentLength }
                head.contentLength = length
                head.contentLengthRange = valueRange
            case .transferEncoding:
                transferEncodings += 1
                guard FieldName.equal(value, "chunked") else { throw .transferEncoding }
                head.chunked = true
            case .connection:
                forEachToken(value) { token in
                    if FieldName.equal(token, "close") {
                        closeToken = true
                    } else if FieldName.equal(token, "keep-alive") {
                        keepAliveToken = true
                    } else {
                        head.connectionNamesFields = true
                    }
                }
            case .expect:
                head.expectsContinue = minorVersion >= 1
            case .requestId:
                head.requestIdRange = valueRange
            case .contentType:
                head.contentTypeRange = valueRange
            case .inferenceHeaderLength:
                head.inferenceHeaderLength = Int(head.string(valueRange))
            case .hopByHop, .other:
                break
            }
        }
        if minorVersion >= 1 && hosts != 1 { throw .host }
        if transferEncodings > 1 || (transferEncodings > 0 && minorVersion == 0) { throw .transferEncoding }
        if head.chunked && head.contentLength != nil { throw .lengthAndTransferEncoding }
        head.keepAlive = minorVersion >= 1 ? !closeToken : keepAliveToken && !closeToken
        return head
    }

    /// After a CRLF or a bare LF at `index`: where the next line starts. The head's bytes end
    /// with a LF, so no line runs past them.
    private static func lineEnd(_ line: UnsafeRawBufferPointer, at index: Int) throws(RequestError) -> Int {
        if line[index] == UInt8(ascii: "\n") { return index + 1 }
        guard line[index] == UInt8(ascii: "\r") else { throw .requestLine }
        guard line[index + 1] == UInt8(ascii: "\n") else { throw .bareCR }
        return index + 2
    }

    /// `Content-Length`: one decimal number, or a list of the same one (RFC 9112 §6.3).
    /// One too large for `Int` is `Int.max` (over any limit: 413).
    private static func contentLength(_ value: UnsafeRawBufferPointer) throws(RequestError) -> Int {
        var result: Int?
        var current = 0, digits = 0
        for byte in value {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                let (times, overflow1) = current.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                current = overflow1 || overflow2 ? Int.max : sum
                digits += 1
            } else if byte == UInt8(ascii: ",") {
                guard digits > 0, result == nil || result == current else { throw .contentLength }
                result = current
                current = 0
                digits = 0
            } else if !(FieldName.isWhitespace(byte) && digits == 0 && result != nil) {
                // Whitespace only after a comma.
                throw .contentLength
            }
        }
        guard digits > 0, result == nil || result == current else { throw .contentLength }
        return current
    }

    /// Calls `body` with each comma-separated token of a field value, trimmed.
    private static func forEachToken(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start < value.count {
            var end = start
            while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
            var first = start, last = end
            while first < last && FieldName.isWhitespace(value[first]) { first += 1 }
            while last > first && FieldName.isWhitespace(value[last - 1]) { last -= 1 }
            if last > first { body(UnsafeRawBufferPointer(rebasing: value[first..<last])) }
            start = end + 1
        }
    }

    private static func method(_ name: UnsafeRawBufferPointer) -> Method {
        switch name.count {
        case 3 where name[0] == UInt8(ascii: "G") && name[1] == UInt8(ascii: "E") && name[2] == UInt8(ascii: "T"): .get
        case 4 where name[0] == UInt8(ascii: "P") && name[1] == UInt8(ascii: "O") && name[2] == UInt8(ascii: "S") && name[3] == UInt8(ascii: "T"): .post
        case 4 where name[0] == UInt8(ascii: "H") && name[1] == UInt8(ascii: "E") && name[2] == UInt8(ascii: "A") && name[3] == UInt8(ascii: "D"): .head
        default: .other
        }
    }
}
