/// Every document of one file as flat arrays: one record per node, children as ranges of
/// node numbers, scalar text as ranges of one byte buffer.
///
/// What `ManifestLoader` reads manifests from: building it costs a few appends per node
/// instead of an array, a string and reference counts per node as a `YAMLNode` tree does,
/// and keys are compared as bytes. `node(_:)` builds the tree of any node on demand for the
/// code that wants one (JSON values, positioned messages).
package final class YAMLArena: Sendable {
    /// A node's number in the arena.
    package typealias Index = Int32

    package enum Kind: UInt8, Sendable {
        case scalar, sequence, mapping
    }

    struct Record: Sendable {
        var kind: Kind
        var style: Scalar.Style
        /// Into `tags`, or -1 without an explicit tag.
        var tag: Int32
        var line: Int32
        var column: Int32
        /// A scalar's bytes in `text`; a collection's entries in `children` (a mapping's
        /// as key, value, key, value…).
        var start: Int32
        var count: Int32
    }

    /// The file as named in messages.
    package let file: String
    let records: [Record]
    let children: [Index]
    let text: [UInt8]
    let tags: [String]
    /// The root of each document, in file order.
    package let roots: [Index]

    init(file: String, records: [Record], children: [Index], text: [UInt8], tags: [String], roots: [Index]) {
        self.file = file
        self.records = records
        self.children = children
        self.text = text
        self.tags = tags
        self.roots = roots
    }

    package func kind(_ node: Index) -> Kind { records[Int(node)].kind }

    package func mark(_ node: Index) -> SourceMark {
        let record = records[Int(node)]
        return SourceMark(line: Int(record.line), column: Int(record.column))
    }

    /// A mapping's number of entries, a sequence's number of items; 0 for a scalar.
    package func count(_ node: Index) -> Int {
        let record = records[Int(node)]
        switch record.kind {
        case .scalar: return 0
        case .sequence: return Int(record.count)
        case .mapping: return Int(record.count) / 2
        }
    }

    /// The key and the value of a mapping's entry.
    package func entry(_ node: Index, _ position: Int) -> (key: Index, value: Index) {
        let start = Int(records[Int(node)].start) + 2 * position
        return (children[start], children[start + 1])
    }

    /// A sequence's item.
    package func item(_ node: Index, _ position: Int) -> Index {
        children[Int(records[Int(node)].start) + position]
    }

    /// True when the node is a scalar whose bytes are exactly `name`'s.
    package func isScalar(_ node: Index, equalTo name: String) -> Bool {
        let record = records[Int(node)]
        guard record.kind == .scalar else { return false }
        var name = name
        return name.withUTF8 { key in
            guard key.count == Int(record.count) else { return false }
            return text.withUnsafeBufferPointer { buffer in
                let start = Int(record.start)
                for offset in 0..<key.count where buffer[start + offset] != key[offset] { return false }
                return true
            }
        }
    }

    /// The value of a mapping's entry whose key is `name`; nil when absent or not a mapping.
    package func value(_ node: Index, forKey name: String) -> Index? {
        entryPosition(node, forKey: name).map { entry(node, $0).value }
    }

    /// The position of a mapping's entry whose key is `name`.
    package func entryPosition(_ node: Index, forKey name: String) -> Int? {
        guard kind(node) == .mapping else { return nil }
        for position in 0..<count(node) where isScalar(entry(node, position).key, equalTo: name) {
            return position
        }
        return nil
    }

    /// A scalar's text; nil for a collection.
    package func string(_ node: Index) -> String? {
        let record = records[Int(node)]
        guard record.kind == .scalar else { return nil }
        let start = Int(record.start)
        return text.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<start + Int(record.count)]), as: UTF8.self)
        }
    }

    /// A scalar with its style and tag; nil for a collection.
    package func scalar(_ node: Index) -> Scalar? {
        guard let value = string(node) else { return nil }
        let record = records[Int(node)]
        return Scalar(value, style: record.style, tag: tag(node))
    }

    package func tag(_ node: Index) -> String? {
        let index = records[Int(node)].tag
        return index < 0 ? nil : tags[Int(index)]
    }

    /// True for `null`, `~`, an empty plain scalar or an explicit `!!null` (`YAMLNode.isNull`).
    package func isNull(_ node: Index) -> Bool {
        let record = records[Int(node)]
        guard record.kind == .scalar else { return false }
        if record.tag < 0 && record.style == .plain {
            // Only empty, `~` and n/N-words can be null: skip the string for the rest.
            guard record.count == 0 || record.count == 1 || record.count == 4 else { return false }
        }
        return scalar(node)?.resolved == .null
    }

    /// True for a document with no content (`YAMLDocument.isEmpty`).
    package func isEmptyDocument(_ root: Index) -> Bool {
        let record = records[Int(root)]
        return record.kind == .scalar && record.style == .plain && record.count == 0 && isNull(root)
    }

    /// "a mapping", "the string \"x\"", … (`YAMLNode.kindDescription`).
    package func kindDescription(_ node: Index) -> String {
        switch kind(node) {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return scalar(node)!.kindDescription
        }
    }

    /// The node as a tree.
    package func node(_ node: Index) -> YAMLNode {
        let content: YAMLNode.Content
        switch kind(node) {
        case .scalar:
            content = .scalar(scalar(node)!)
        case .sequence:
            content = .sequence((0..<count(node)).map { self.node(item(node, $0)) })
        case .mapping:
            content = .mapping((0..<count(node)).map { position in
                let (key, value) = entry(node, position)
                return YAMLNode.Pair(key: self.node(key), value: self.node(value))
            })
        }
        return YAMLNode(content, mark: mark(node), tag: tag(node))
    }

    /// Every document as a tree.
    package var documents: [YAMLDocument] {
        roots.enumerated().map { YAMLDocument(file: file, index: $0.offset, root: node($0.element)) }
    }
}

extension YAMLArena {
    /// The arena of one tree: for callers that hold a tree and want what reads arenas.
    package convenience init(file: String, root: YAMLNode) {
        var records: [Record] = []
        var children: [Index] = []
        var text: [UInt8] = []
        var tags: [String] = []
        func add(_ node: YAMLNode) -> Index {
            let tag: Int32
            if let name = node.tag {
                tag = Int32(tags.count)
                tags.append(name)
            } else {
                tag = -1
            }
            var record = Record(kind: .scalar, style: .plain, tag: tag, line: Int32(node.mark.line), column: Int32(node.mark.column), start: 0, count: 0)
            var entries: [Index] = []
            switch node.content {
            case .scalar(let scalar):
                record.style = scalar.style
                record.start = Int32(text.count)
                record.count = Int32(scalar.value.utf8.count)
                text += scalar.value.utf8
            case .sequence(let items):
                record.kind = .sequence
                entries = items.map(add)
            case .mapping(let pairs):
                record.kind = .mapping
                for pair in pairs {
                    entries.append(add(pair.key))
                    entries.append(add(pair.value))
                }
            }
            if record.kind != .scalar {
                record.start = Int32(children.count)
                record.count = Int32(entries.count)
                children += entries
            }
            records.append(record)
            return Index(records.count - 1)
        }
        let root = add(root)
        self.init(file: file, records: records, children: children, text: text, tags: tags, roots: [root])
    }
}
