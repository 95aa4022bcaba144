/// A node of a YAML document with the position where it starts.
///
/// Aliases are resolved: an alias node is a copy of the node its anchor names (cheap, since
/// the children are shared copy-on-write), and the parser counts the copy against the node
/// limit so that alias bombs are refused.
package struct YAMLNode: Sendable {
    /// What a node holds.
    package enum Content: Sendable {
        case scalar(Scalar)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    /// A mapping entry. Keys are always scalars (the parser refuses other keys).
    package struct Pair: Sendable {
        package var key: YAMLNode
        package var value: YAMLNode
        /// The key's text, kept beside it: lookups compare it without copying the key.
        package let name: String

        package init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
            self.name = key.text ?? ""
        }
    }

    package var content: Content
    /// Where the node starts.
    package var mark: SourceMark
    /// The explicit tag (`!!str`, `tag:yaml.org,2002:int`, …) if the document gave one.
    package var tag: String?

    package init(_ content: Content, mark: SourceMark, tag: String? = nil) {
        self.content = content
        self.mark = mark
        self.tag = tag
    }

    /// The scalar, or nil for a collection.
    package var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The scalar's text, or nil for a collection.
    package var text: String? { scalar?.value }

    /// The mapping's entries, or nil for a scalar or a sequence.
    package var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The sequence's items, or nil for a scalar or a mapping.
    package var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The entry of a mapping with the given key.
    package func pair(forKey key: String) -> Pair? {
        guard case .mapping(let pairs) = content else { return nil }
        for index in pairs.indices where pairs[index].name == key {
            return pairs[index]
        }
        return nil
    }

    /// The value of a mapping entry with the given key.
    package subscript(key: String) -> YAMLNode? {
        pair(forKey: key)?.value
    }

    /// True for `null`, `~`, an empty plain scalar or an explicit `!!null`.
    package var isNull: Bool {
        guard let scalar else { return false }
        return scalar.resolved == .null
    }

    /// A short description of the node's kind for error messages: "a mapping", "the string \"x\"".
    package var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return scalar.kindDescription
        }
    }
}

extension YAMLNode {
    /// Where a field of this document is: the value's mark when the path exists; otherwise
    /// the key of the deepest entry that exists on the way (or the document's start).
    package func mark(at path: FieldPath) -> SourceMark {
        var node = self
        var best = mark
        for component in path.components {
            switch component {
            case .key(let key):
                guard let pair = node.pair(forKey: key) else { return best }
                node = pair.value
                best = pair.value.isNull && pair.value.text == "" ? pair.key.mark : pair.value.mark
            case .index(let index):
                guard let items = node.items, items.indices.contains(index) else { return best }
                node = items[index]
                best = node.mark
            }
        }
        return best
    }

    /// The mark of the key of the last path component, for errors about the key itself.
    package func keyMark(at path: FieldPath) -> SourceMark {
        guard case .key(let last)? = path.components.last else { return mark(at: path) }
        let parentPath = FieldPath(Array(path.components.dropLast()))
        var node = self
        for component in parentPath.components {
            switch component {
            case .key(let key):
                guard let value = node[key] else { return mark(at: path) }
                node = value
            case .index(let index):
                guard let items = node.items, items.indices.contains(index) else { return mark(at: path) }
                node = items[index]
            }
        }
        return node.pair(forKey: last)?.key.mark ?? mark(at: path)
    }
}
