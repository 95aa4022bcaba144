/// A CSV file (RFC 4180) read into memory once: the header, and for every column the
/// position of each field in the bytes. Values are decoded per column, on demand, by the
/// column's logical type, so a check holds one typed column at a time.
///
/// Fields are separated by `,`, records by LF or CRLF; a field in double quotes may hold
/// commas, line breaks and `""` (one quote). An empty field, quoted or not, is null (as
/// `datacontract test` reads CSV: docs/research/datacontract-test-semantics.md).
public struct CSVTable: Sendable {
    package let header: [String]
    /// The data rows, not counting the header.
    package let rowCount: Int
    private let bytes: [UInt8]
    /// Per column, per row: where the field starts and how it is encoded.
    private let fields: [[Field]]
    /// The 1-based line on which each row starts (rows may span lines inside quotes).
    private let lines: [Int32]

    struct Field: Sendable {
        var start: UInt32
        var length: UInt32
        var flags: UInt8

        static let quoted: UInt8 = 1
        static let escaped: UInt8 = 2
    }

    /// Reads CSV bytes.
    ///
    /// - Throws: `CSVError` naming the line of the first malformed row: an unterminated
    ///   quote, a quote inside an unquoted field, text after a closing quote, or a row with
    ///   another number of fields than the header.
    public init(_ bytes: [UInt8]) throws(CSVError) {
        guard bytes.count < Int(UInt32.max) else {
            throw CSVError(line: 1, message: "file is larger than 4 GiB; split it")
        }
        var header: [String] = []
        var columns: [[Field]] = []
        var lines: [Int32] = []
        var parser = Parser(bytes: bytes)
        var record: [Field] = []
        record.reserveCapacity(32)
        var isHeader = true
        var headerEnd = 0
        while !parser.isAtEnd {
            let line = parser.line
            try parser.readRecord(into: &record)
            if isHeader {
                header = record.map { Self.text(of: $0, in: bytes) }
                columns = Array(repeating: [], count: header.count)
                isHeader = false
                headerEnd = parser.offset
                continue
            }
            // A blank line at the end of the file (or anywhere) is not a row.
            if record.count == 1, record[0].length == 0, record[0].flags == 0, header.count > 1 { continue }
            guard record.count == header.count else {
                throw CSVError(line: line, message: "expected \(header.count) field\(header.count == 1 ? "" : "s") as in the header, found \(record.count)")
            }
            for index in record.indices { columns[index].append(record[index]) }
            lines.append(Int32(truncatingIfNeeded: line))
            if lines.count == 256 {
                // Reserve for the whole file from the length of the first rows.
                let perRow = max(1, (parser.offset - headerEnd) / lines.count)
                let estimate = (bytes.count - headerEnd) / perRow + (bytes.count - headerEnd) / perRow / 8
                for index in columns.indices { columns[index].reserveCapacity(estimate) }
                lines.reserveCapacity(estimate)
            }
        }
        guard !isHeader else { throw CSVError(line: 1, message: "file is empty; the first line must name the columns") }
        var seen: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            if name.isEmpty { throw CSVError(line: 1, message: "column \(index + 1) of the header has no name") }
            if let first = seen[name] { throw CSVError(line: 1, message: "column \"\(name)\" appears twice in the header (columns \(first + 1) and \(index + 1))") }
            seen[name] = index
        }
        self.header = header
        self.bytes = bytes
        self.fields = columns
        self.lines = lines
        self.rowCount = lines.count
    }

    /// The index of a column by name.
    package func columnIndex(_ name: String) -> Int? {
        header.firstIndex(of: name)
    }

    /// The line on which a row (0-based) starts.
    package func line(ofRow row: Int) -> Int { Int(lines[row]) }

    /// The raw text of a field, or nil for null (an empty field).
    package func text(row: Int, column: Int) -> String? {
        let field = fields[column][row]
        if field.length == 0 { return nil }
        return Self.text(of: field, in: bytes)
    }

    /// Calls `body` with each field of a column: its bytes (quotes removed, `""` still
    /// doubled when `escaped`), and whether it is null.
    func forEachField(column: Int, _ body: (_ row: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ isNull: Bool, _ escaped: Bool) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            for (row, field) in fields[column].enumerated() {
                let slice = UnsafeBufferPointer(rebasing: buffer[Int(field.start)..<Int(field.start + field.length)])
                body(row, slice, field.length == 0, field.flags & Field.escaped != 0)
            }
        }
    }

    static func text(of field: Field, in bytes: [UInt8]) -> String {
        let slice = bytes[Int(field.start)..<Int(field.start + field.length)]
        if field.flags & Field.escaped == 0 { return String(decoding: slice, as: UTF8.self) }
        return unescape(slice)
    }

    /// Turns `""` back into `"`.
    static func unescape(_ slice: some Collection<UInt8>) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(slice.count)
        var previousWasQuote = false
        for byte in slice {
            if byte == UInt8(ascii: "\""), previousWasQuote {
                previousWasQuote = false
                continue
            }
            previousWasQuote = byte == UInt8(ascii: "\"")
            result.append(byte)
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// A malformed CSV file, with the line of the problem.
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    package var line: Int
    package var message: String

    package init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// The byte-level state machine.
private struct Parser {
    let bytes: [UInt8]
    var offset = 0
    var line = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark is not part of the first column's name.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
    }

    var isAtEnd: Bool { offset >= bytes.count }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Reads one record, leaving the offset after its line break.
    mutating func readRecord(into record: inout [CSVTable.Field]) throws(CSVError) {
        record.removeAll(keepingCapacity: true)
        let startLine = line
        try bytes.withUnsafeBufferPointer { (buffer) throws(CSVError) in
            let count = buffer.count
            var position = offset
            while true {
                if position < count, buffer[position] == Self.quote {
                    // Quoted field.
                    let start = position + 1
                    position = start
                    var escaped = false
                    while true {
                        guard position < count else {
                            throw CSVError(line: startLine, message: "a quoted field opened on this line is never closed; close it with \"")
                        }
                        let byte = buffer[position]
                        if byte == Self.quote {
                            if position + 1 < count, buffer[position + 1] == Self.quote {
                                escaped = true
                                position += 2
                                continue
                            }
                            break
                        }
                        if byte == Self.newline { line += 1 }
                        position += 1
                    }
                    record.append(CSVTable.Field(start: UInt32(start), length: UInt32(position - start),
                                                 flags: CSVTable.Field.quoted | (escaped ? CSVTable.Field.escaped : 0)))
                    position += 1  // the closing quote
                    guard position < count else { break }
                    let next = buffer[position]
                    if next == Self.comma { position += 1; continue }
                    if next == Self.newline { position += 1; line += 1; break }
                    if next == Self.carriageReturn, position + 1 < count, buffer[position + 1] == Self.newline { position += 2; line += 1; break }
                    throw CSVError(line: line, message: "text after a closing quote; quote the whole field and double the quotes inside it (\"\")")
                } else {
                    let start = position
                    while position < count {
                        let byte = buffer[position]
                        if byte == Self.comma || byte == Self.newline || byte == Self.carriageReturn { break }
                        if byte == Self.quote {
                            throw CSVError(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quotes inside it (\"\")")
                        }
                        position += 1
                    }
                    record.append(CSVTable.Field(start: UInt32(start), length: UInt32(position - start), flags: 0))
                    guard position < count else { break }
                    let byte = buffer[position]
                    if byte == Self.comma { position += 1; continue }
                    if byte == Self.newline { position += 1; line += 1; break }
                    if position + 1 < count, buffer[position + 1] == Self.newline { position += 2; line += 1; break }
                    throw CSVError(line: line, message: "a carriage return without a line feed; use LF or CRLF line breaks")
                }
            }
            offset = position
        }
    }
}
