internal import CYAML

/// Reads YAML with libyaml into one arena per file (`arena(_:file:)`, what the loader reads)
/// or node trees built from it (`parse(_:file:)`), keeping the position of every node.
///
/// One parser reads one file at a time; it is cheap to create and safe to use from any
/// thread (each call owns its libyaml parser).
package struct YAMLParser: Sendable {
    package var limits: YAMLLimits

    package init(limits: YAMLLimits = .default) {
        self.limits = limits
    }

    /// Parses every document of a file.
    ///
    /// - Parameters:
    ///   - bytes: the file's content; UTF-8 (a byte-order mark is allowed) or UTF-16 with a BOM.
    ///   - file: the name used in errors.
    /// - Throws: `YAMLError` for a syntax error, a non-scalar or duplicate mapping key, or a
    ///   passed limit, naming the line and column.
    package func parse(_ bytes: [UInt8], file: String) throws(YAMLError) -> [YAMLDocument] {
        try arena(bytes, file: file).documents
    }

    /// Parses a string; see `parse(_:file:)`.
    package func parse(_ text: String, file: String) throws(YAMLError) -> [YAMLDocument] {
        try parse(Array(text.utf8), file: file)
    }

    /// Parses every document of a file into one arena, with the errors of `parse(_:file:)`.
    package func arena(_ bytes: [UInt8], file: String) throws(YAMLError) -> YAMLArena {
        if let problem = limits.fileSizeProblem(bytes.count) {
            throw YAMLError(file: file, mark: .start, message: problem)
        }
        var builder = ArenaBuilder(file: file, limits: limits, bytes: bytes)
        let result: Result<YAMLArena, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(YAMLError) {
                return .success(try builder.run(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Turns libyaml's event stream into an arena, enforcing the limits as it goes.
private struct ArenaBuilder {
    private typealias Index = YAMLArena.Index

    private struct Anchored {
        var node: Index
        var size: Int
    }

    /// A collection being read; its entries so far are `pending[start...]`.
    private struct Frame {
        var kind: YAMLArena.Kind
        var mark: SourceMark
        var tag: Int32
        var anchor: String?
        var size: Int
        var start: Int
        /// A large mapping's keys, built once it has many entries.
        var index: [String: SourceMark]?
    }

    let file: String
    let limits: YAMLLimits
    let bytes: [UInt8]
    private var records: [YAMLArena.Record] = []
    private var children: [Index] = []
    private var text: [UInt8] = []
    private var tags: [String] = []
    private var roots: [Index] = []
    /// The entries of the open collections, innermost last.
    private var pending: [Index] = []
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var root: Index?
    private var nodeCount = 0
    /// ASCII files index characters as bytes.
    private let isASCII: Bool

    init(file: String, limits: YAMLLimits, bytes: [UInt8]) {
        self.file = file
        self.limits = limits
        self.bytes = bytes
        self.isASCII = !bytes.contains { $0 >= 0x80 }
        // Manifests run at about one node per 12 bytes; one allocation each, mostly.
        records.reserveCapacity(bytes.count / 8 + 4)
        children.reserveCapacity(bytes.count / 8 + 4)
        text.reserveCapacity(bytes.count)
    }

    mutating func run(_ input: UnsafeBufferPointer<UInt8>) throws(YAMLError) -> YAMLArena {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(file: file, mark: .start, message: "libyaml could not allocate a parser")
        }
        defer { yaml_parser_delete(&parser) }
        // libyaml reads nothing from an empty buffer pointer; give it a valid address.
        let empty: [UInt8] = [0]
        empty.withUnsafeBufferPointer { fallback in
            let base = input.baseAddress ?? fallback.baseAddress!
            yaml_parser_set_input_string(&parser, base, input.count)
        }
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw syntaxError(parser)
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { break }
            try handle(&event)
        }
        return YAMLArena(file: file, records: records, children: children, text: text, tags: tags, roots: roots)
    }

    private mutating func handle(_ event: inout yaml_event_t) throws(YAMLError) {
        let mark = self.mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            anchors.removeAll(keepingCapacity: true)
            root = nil
        case YAML_DOCUMENT_END_EVENT:
            guard roots.count < limits.maxDocuments else {
                throw YAMLError(file: file, mark: mark, message: "more than \(limits.maxDocuments) documents in one file; split the file")
            }
            roots.append(root ?? record(.scalar, style: .plain, tag: -1, mark: mark, start: text.count, count: 0))
        case YAML_SCALAR_EVENT:
            let scalarEvent = event.data.scalar
            guard scalarEvent.length <= limits.maxScalarBytes else {
                throw YAMLError(
                    file: file, mark: mark,
                    message: "scalar of \(scalarEvent.length) bytes is longer than the limit of \(limits.maxScalarBytes) bytes; keep large data out of manifests")
            }
            let start = text.count
            text.append(contentsOf: UnsafeBufferPointer(start: scalarEvent.value, count: scalarEvent.length))
            let style: Scalar.Style
            switch scalarEvent.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let node = record(.scalar, style: style, tag: tag(scalarEvent.tag), mark: mark, start: start, count: scalarEvent.length)
            try count(1, at: mark)
            try add(node, size: 1, anchor: string(scalarEvent.anchor))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw YAMLError(file: file, mark: mark, message: "alias *\(name) names no anchor defined before it")
            }
            try count(anchored.size, at: mark)
            var copy = records[Int(anchored.node)]
            copy.line = Int32(mark.line)
            copy.column = Int32(mark.column)
            records.append(copy)
            try add(Index(records.count - 1), size: anchored.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            try push(.sequence, mark: mark, tag: tag(start.tag), anchor: string(start.anchor))
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            try push(.mapping, mark: mark, tag: tag(start.tag), anchor: string(start.anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let start = children.count
            children.append(contentsOf: pending[frame.start...])
            pending.removeSubrange(frame.start...)
            let node = record(frame.kind, style: .plain, tag: frame.tag, mark: frame.mark, start: start, count: children.count - start)
            try add(node, size: frame.size, anchor: frame.anchor)
        default:
            break
        }
    }

    private mutating func record(_ kind: YAMLArena.Kind, style: Scalar.Style, tag: Int32, mark: SourceMark, start: Int, count: Int) -> Index {
        records.append(YAMLArena.Record(
            kind: kind, style: style, tag: tag, line: Int32(truncatingIfNeeded: mark.line), column: Int32(truncatingIfNeeded: mark.column),
            start: Int32(truncatingIfNeeded: start), count: Int32(truncatingIfNeeded: count)))
        return Index(records.count - 1)
    }

    private mutating func tag(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> Int32 {
        guard let name = string(pointer) else { return -1 }
        tags.append(name)
        return Int32(tags.count - 1)
    }

    private mutating func push(_ kind: YAMLArena.Kind, mark: SourceMark, tag: Int32, anchor: String?) throws(YAMLError) {
        guard stack.count < limits.maxDepth else {
            throw YAMLError(file: file, mark: mark, message: "nesting deeper than \(limits.maxDepth) levels; manifests are never this deep")
        }
        try count(1, at: mark)
        stack.append(Frame(kind: kind, mark: mark, tag: tag, anchor: anchor, size: 1, start: pending.count))
    }

    private mutating func count(_ nodes: Int, at mark: SourceMark) throws(YAMLError) {
        nodeCount += nodes
        guard nodeCount <= limits.maxNodes else {
            throw YAMLError(
                file: file, mark: mark,
                message: "file expands to more than \(limits.maxNodes) nodes (aliases count as the nodes they repeat); refusing it as a possible alias bomb")
        }
    }

    private mutating func add(_ node: Index, size: Int, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = Anchored(node: node, size: size) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        if stack[top].kind == .mapping && (pending.count - stack[top].start) % 2 == 0 {
            try checkKey(node, of: top)
        }
        pending.append(node)
    }

    /// Refuses a mapping key that is not a scalar or that the mapping already has.
    private mutating func checkKey(_ key: Index, of frame: Int) throws(YAMLError) {
        let record = records[Int(key)]
        let mark = SourceMark(line: Int(record.line), column: Int(record.column))
        guard record.kind == .scalar else {
            throw YAMLError(file: file, mark: mark, message: "mapping keys must be scalars, found \(record.kind == .mapping ? "a mapping" : "a list")")
        }
        if let first = firstOccurrence(of: key, in: frame) {
            throw YAMLError(
                file: file, mark: mark,
                message: "duplicate key \"\(keyText(key))\" (first at line \(first.line)); remove one of them")
        }
        if stack[frame].index != nil { stack[frame].index![keyText(key)] = mark }
    }

    /// Finds an earlier key: a byte comparison for the small mappings manifests are made
    /// of, a dictionary once a mapping grows large.
    private mutating func firstOccurrence(of key: Index, in frame: Int) -> SourceMark? {
        if let index = stack[frame].index { return index[keyText(key)] }
        let keys = stride(from: stack[frame].start, to: pending.count, by: 2)
        if (pending.count - stack[frame].start) / 2 < 24 {
            let wanted = records[Int(key)]
            for position in keys {
                let earlier = records[Int(pending[position])]
                if earlier.count == wanted.count,
                   text[Int(earlier.start)..<Int(earlier.start + earlier.count)].elementsEqual(text[Int(wanted.start)..<Int(wanted.start + wanted.count)]) {
                    return SourceMark(line: Int(earlier.line), column: Int(earlier.column))
                }
            }
            return nil
        }
        var built: [String: SourceMark] = [:]
        for position in keys {
            let earlier = records[Int(pending[position])]
            built[keyText(pending[position])] = SourceMark(line: Int(earlier.line), column: Int(earlier.column))
        }
        stack[frame].index = built
        return built[keyText(key)]
    }

    private func keyText(_ node: Index) -> String {
        let record = records[Int(node)]
        return String(decoding: text[Int(record.start)..<Int(record.start + record.count)], as: UTF8.self)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    /// libyaml counts columns in characters but lines from 0; we count both from 1.
    private func mark(_ mark: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        if parser.error == YAML_READER_ERROR {
            var offset = parser.problem_offset
            // libyaml names the byte where a sequence went wrong; point at the character it began.
            if problem.contains("trailing") {
                var start = offset
                while start > 0, offset - start < 4, bytes[start - 1] >= 0x80 {
                    start -= 1
                    if bytes[start] >= 0xC0 { offset = start; break }
                }
            }
            let mark = markOfByte(offset)
            if problem.contains("UTF-8") || problem.contains("UTF-16") || problem.contains("octet") {
                return YAMLError(file: file, mark: mark, message: "the file is not valid UTF-8 (\(problem)); save it as UTF-8")
            }
            if problem.contains("control characters") {
                return YAMLError(file: file, mark: mark, message: "the file holds a control character YAML does not allow (\(problem))")
            }
            return YAMLError(file: file, mark: mark, message: problem)
        }
        let mark = self.mark(parser.problem_mark)
        if scalar(atLine: Int(parser.problem_mark.line), column: Int(parser.problem_mark.column)) == "\t" {
            return YAMLError(file: file, mark: mark, message: "tab character where YAML expects indentation; indent with spaces")
        }
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextMark = self.mark(parser.context_mark)
            message += " (\(context) at line \(contextMark.line), column \(contextMark.column))"
        }
        return YAMLError(file: file, mark: mark, message: "invalid YAML: " + message)
    }

    /// The character at a 0-based line and column (libyaml counts columns in characters).
    private func scalar(atLine line: Int, column: Int) -> Unicode.Scalar? {
        var start = 0
        var remaining = line
        while remaining > 0 {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            start = newline + 1
            remaining -= 1
        }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        if isASCII { return start + column < end ? Unicode.Scalar(bytes[start + column]) : nil }
        let scalars = String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars
        var index = scalars.startIndex
        for _ in 0..<column {
            guard index != scalars.endIndex else { return nil }
            // A byte-order mark on the first line is not a column.
            index = scalars.index(after: index)
        }
        if line == 0, scalars.first == "\u{FEFF}", index != scalars.endIndex { index = scalars.index(after: index) }
        return index == scalars.endIndex ? nil : scalars[index]
    }

    /// The line and column of a byte offset, for reader errors that report only an offset.
    private func markOfByte(_ offset: Int) -> SourceMark {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceMark(line: line, column: column)
    }
}
