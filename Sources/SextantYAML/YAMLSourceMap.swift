internal import CYAML

/// Where each node of a one-document YAML file is written, as byte ranges of the file:
/// what in-place edits need to replace a node and leave every other byte alone.
struct YAMLSourceMap {
    /// How a node is written.
    enum Form: Equatable {
        case scalar(Scalar.Style, tagged: Bool)
        case blockCollection
        case flowCollection
        case alias
    }

    /// One node's place in the file.
    struct Span {
        /// The node's bytes: a scalar's token with its quotes, a flow collection with its
        /// brackets, a block collection from its first entry to the end of its last token.
        var bytes: Range<Int>
        var form: Form
        /// Where the node starts.
        var mark: SourceMark
        /// The 1-based column of the key that holds this node (nil for items and the root).
        var keyColumn: Int?
        /// Inside a flow collection, where plain scalars may not hold `,[]{}`.
        var inFlow: Bool
        /// The node is an alias, or carries an anchor: editing it would change other nodes.
        var isShared: Bool
    }

    let spans: [FieldPath: Span]
    /// The number of documents in the file.
    let documentCount: Int

    /// Maps a UTF-8 file that `YAMLParser` accepted.
    init(_ bytes: [UInt8]) {
        var walker = Walker(bytes: bytes)
        bytes.withUnsafeBufferPointer { walker.run($0) }
        spans = walker.spans
        documentCount = walker.documents
    }
}

/// Follows libyaml's events and records the span of every node by path.
private struct Walker {
    private struct Frame {
        var path: FieldPath
        var isMapping: Bool
        var isFlow: Bool
        var start: yaml_mark_t
        var isShared: Bool
        var keyColumn: Int?
        var pendingKey: String?
        var pendingKeyColumn: Int?
        var nextIndex = 0
        /// The end of the last token inside the collection so far.
        var lastEnd: Int
    }

    let bytes: [UInt8]
    /// Byte offset of each character index libyaml counts; nil for ASCII files, where they are equal.
    private let offsets: [Int]?
    private var stack: [Frame] = []
    var spans: [FieldPath: YAMLSourceMap.Span] = [:]
    var documents = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        if start == 0 && !bytes.contains(where: { $0 >= 0x80 }) {
            offsets = nil
        } else {
            // libyaml counts characters after the byte-order mark.
            var table: [Int] = []
            for index in start..<bytes.count where bytes[index] & 0xC0 != 0x80 { table.append(index) }
            table.append(bytes.count)
            offsets = table
        }
    }

    mutating func run(_ input: UnsafeBufferPointer<UInt8>) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let empty: [UInt8] = [0]
        empty.withUnsafeBufferPointer { fallback in
            yaml_parser_set_input_string(&parser, input.baseAddress ?? fallback.baseAddress!, input.count)
        }
        var event = yaml_event_t()
        while yaml_parser_parse(&parser, &event) == 1 {
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { break }
            handle(event)
        }
    }

    private mutating func handle(_ event: yaml_event_t) {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let end = offset(event.end_mark)
            if let top = stack.indices.last, stack[top].isMapping, stack[top].pendingKey == nil {
                stack[top].pendingKey = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                stack[top].pendingKeyColumn = Int(event.start_mark.column) + 1
                stack[top].lastEnd = end
                return
            }
            let style: Scalar.Style
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let (path, keyColumn) = nextPath()
            record(path, start: event.start_mark, end: end, form: .scalar(style, tagged: scalar.tag != nil),
                   keyColumn: keyColumn, isShared: scalar.anchor != nil)
        case YAML_ALIAS_EVENT:
            let (path, keyColumn) = nextPath()
            record(path, start: event.start_mark, end: offset(event.end_mark), form: .alias, keyColumn: keyColumn, isShared: true)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let isFlow = isMapping
                ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let (path, keyColumn) = nextPath()
            stack.append(Frame(path: path, isMapping: isMapping, isFlow: isFlow, start: event.start_mark, isShared: anchor != nil,
                               keyColumn: keyColumn, lastEnd: offset(event.end_mark)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            // A block collection ends with its last token; libyaml's end event points at the
            // next token, past comments and blank lines that belong to what follows.
            let end = frame.isFlow ? offset(event.end_mark) : frame.lastEnd
            record(frame.path, start: frame.start, end: end, form: frame.isFlow ? .flowCollection : .blockCollection,
                   keyColumn: frame.keyColumn, isShared: frame.isShared)
        default:
            break
        }
    }

    /// The path of the node an event starts, and the column of its key.
    private mutating func nextPath() -> (FieldPath, Int?) {
        guard let top = stack.indices.last else { return (.root, nil) }
        if stack[top].isMapping {
            let key = stack[top].pendingKey ?? ""
            let column = stack[top].pendingKeyColumn
            stack[top].pendingKey = nil
            return (stack[top].path.appending(key), column)
        }
        let index = stack[top].nextIndex
        stack[top].nextIndex += 1
        return (stack[top].path.appending(index: index), nil)
    }

    private mutating func record(_ path: FieldPath, start: yaml_mark_t, end: Int, form: YAMLSourceMap.Form, keyColumn: Int?, isShared: Bool) {
        let startOffset = offset(start)
        var endOffset = max(end, startOffset)
        // Block scalars end after their line breaks; the node is its text.
        while endOffset > startOffset, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[endOffset - 1]) { endOffset -= 1 }
        spans[path] = YAMLSourceMap.Span(
            bytes: startOffset..<endOffset, form: form, mark: SourceMark(line: Int(start.line) + 1, column: Int(start.column) + 1),
            keyColumn: keyColumn, inFlow: stack.contains { $0.isFlow }, isShared: isShared)
        if let top = stack.indices.last { stack[top].lastEnd = endOffset }
    }

    private func offset(_ mark: yaml_mark_t) -> Int {
        let index = Int(mark.index)
        guard let offsets else { return min(index, bytes.count) }
        return offsets[min(index, offsets.count - 1)]
    }
}
