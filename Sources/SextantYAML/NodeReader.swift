/// Reads a value from a YAML node by hand-written code, with exactly the messages, paths and
/// positions `YAMLDecoder` gives the same type through `Decodable`, at a fraction of the
/// cost (no decoder object per field, no generic containers).
///
/// The rules are `YAMLDecoder`'s: a strict mapping reports every unknown key; a problem in a
/// required field stops the reading up to the nearest optional field that holds it, where
/// it is recorded and reading goes on; an explicit null is an absent optional field.
package struct NodeReader {
    /// The file's nodes, and this reader's node among them.
    private let arena: YAMLArena
    private let index: YAMLArena.Index
    /// The enclosing reader's path and the step from it: the path is built only for
    /// readers of collections and for messages.
    private let parentPath: FieldPath
    private let step: Step
    /// The mark of the key that led here, for "missing field" errors.
    private let keyMark: SourceMark
    private let context: DecodingContext

    /// How a reader was reached from its parent: by a key (its node, turned into text only
    /// for a path), by a list position, or not at all (the root).
    fileprivate enum Step {
        case root
        case key(YAMLArena.Index)
        case index(Int)
    }

    fileprivate init(arena: YAMLArena, index: YAMLArena.Index, parentPath: FieldPath, step: Step, keyMark: SourceMark, context: DecodingContext) {
        self.arena = arena
        self.index = index
        self.parentPath = parentPath
        self.step = step
        self.keyMark = keyMark
        self.context = context
    }

    /// The node as a tree, for values of any shape.
    package var node: YAMLNode { arena.node(index) }

    /// The path from the document's root to this node.
    package var path: FieldPath {
        switch step {
        case .root: return parentPath
        case .key(let key): return FieldPath(parentPath.components + [.key(arena.string(key) ?? "")])
        case .index(let position): return FieldPath(parentPath.components + [.index(position)])
        }
    }

    /// A problem with this node.
    package func issue(_ message: String) -> YAMLDecodingIssue {
        YAMLDecodingIssue(path: path, mark: arena.mark(index), message: message)
    }

    /// The node as a mapping. `fields` are the keys of a strict type: any other key is
    /// reported (all of them, reading goes on); nil reads an open type that ignores them.
    package func mapping(fields: [String]?) throws(YAMLDecodingIssue) -> Mapping {
        guard arena.kind(index) == .mapping else {
            throw issue("expected a mapping, found \(arena.kindDescription(index))")
        }
        let path = self.path
        if let fields {
            for position in 0..<arena.count(index) {
                let key = arena.entry(index, position).key
                if !fields.contains(where: { arena.isScalar(key, equalTo: $0) }) {
                    context.issues.append(Self.unknownField(arena.string(key) ?? "", at: arena.mark(key), known: fields, in: path))
                }
            }
        }
        return Mapping(arena: arena, index: index, path: path, keyMark: keyMark, context: context)
    }

    /// The node as a list, each item read by `read`.
    package func list<T>(_ read: (NodeReader) throws -> T) throws -> [T] {
        guard arena.kind(index) == .sequence else {
            throw issue("expected a list, found \(arena.kindDescription(index))")
        }
        let path = self.path
        let count = arena.count(index)
        var values: [T] = []
        values.reserveCapacity(count)
        for position in 0..<count {
            let item = arena.item(index, position)
            values.append(try read(NodeReader(arena: arena, index: item, parentPath: path, step: .index(position), keyMark: arena.mark(item), context: context)))
        }
        return values
    }

    /// The node as a mapping of any keys, each value read by `read` (a problem in any of
    /// them stops the reading, as for a required field).
    package func dictionary<T>(_ read: (NodeReader) throws -> T) throws -> [String: T] {
        let mapping = try self.mapping(fields: nil)
        var values: [String: T] = [:]
        for position in 0..<arena.count(index) {
            let key = arena.entry(index, position).key
            values[arena.string(key) ?? ""] = try read(mapping.child(position))
        }
        return values
    }

    package func string() throws(YAMLDecodingIssue) -> String {
        do { return try ScalarValue.string(scalarNode) } catch { throw issue(error.message) }
    }

    package func bool() throws(YAMLDecodingIssue) -> Bool {
        do { return try ScalarValue.bool(scalarNode) } catch { throw issue(error.message) }
    }

    package func integer<T: FixedWidthInteger>(_ type: T.Type = Int.self) throws(YAMLDecodingIssue) -> T {
        do { return try ScalarValue.integer(scalarNode, as: type) } catch { throw issue(error.message) }
    }

    package func double() throws(YAMLDecodingIssue) -> Double {
        do { return try ScalarValue.floatingPoint(scalarNode, as: Double.self) } catch { throw issue(error.message) }
    }

    /// The node as a tree of one node for a scalar (what `ScalarValue` reads); a
    /// collection's tree is built only for the message saying it is no scalar.
    private var scalarNode: YAMLNode {
        guard let scalar = arena.scalar(index) else { return node }
        return YAMLNode(.scalar(scalar), mark: arena.mark(index), tag: scalar.tag)
    }

    /// The fields of a mapping being read.
    package struct Mapping {
        fileprivate let arena: YAMLArena
        fileprivate let index: YAMLArena.Index
        fileprivate let path: FieldPath
        fileprivate let keyMark: SourceMark
        fileprivate let context: DecodingContext

        /// A field that must be there.
        package func required<T>(_ key: String, _ read: (NodeReader) throws -> T) throws -> T {
            guard let position = arena.entryPosition(index, forKey: key) else {
                throw YAMLDecodingIssue(path: path.appending(key), mark: keyMark, message: "required field \"\(key)\" is missing")
            }
            return try read(child(position))
        }

        /// A field that may be absent or null. A problem inside it is recorded, and the
        /// field reads as absent, so that one run reports every such problem.
        package func optional<T>(_ key: String, _ read: (NodeReader) throws -> T) -> T? {
            guard let position = arena.entryPosition(index, forKey: key), !arena.isNull(arena.entry(index, position).value) else { return nil }
            let child = child(position)
            do {
                return try read(child)
            } catch {
                context.record(YAMLDecodingIssue(error, at: child))
                return nil
            }
        }

        fileprivate func child(_ position: Int) -> NodeReader {
            let (key, value) = arena.entry(index, position)
            return NodeReader(arena: arena, index: value, parentPath: path, step: .key(key), keyMark: arena.mark(key), context: context)
        }
    }

    /// The message for a key a strict type does not have, with a "did you mean" hint.
    static func unknownField(_ name: String, at mark: SourceMark, known: [String], in path: FieldPath) -> YAMLDecodingIssue {
        var message = "unknown field \"\(name)\""
        if let hint = NearestName.hint(name, in: known) {
            message += hint
        } else {
            message += "; expected one of: \(known.joined(separator: ", "))"
        }
        return YAMLDecodingIssue(path: path.appending(name), mark: mark, message: message)
    }
}

extension YAMLDecoder {
    /// Reads a document with hand-written code: the value (nil when any problem but an
    /// unknown field was found) and every problem, as `decode(_:from:)` gives them.
    package func read<T>(from root: YAMLArena.Index, of arena: YAMLArena, _ read: (NodeReader) throws -> T) -> (value: T?, issues: [YAMLDecodingIssue]) {
        let context = DecodingContext()
        let reader = NodeReader(arena: arena, index: root, parentPath: .root, step: .root, keyMark: arena.mark(root), context: context)
        do {
            let value = try read(reader)
            return (context.hasTypeErrors ? nil : value, context.issues)
        } catch {
            return (nil, context.issues + [YAMLDecodingIssue(error, at: reader)])
        }
    }
}

extension YAMLDecodingIssue {
    /// What a reader threw: always an issue, since readers throw nothing else; anything
    /// else is named at the reader's node.
    init(_ error: any Error, at reader: NodeReader) {
        self = error as? YAMLDecodingIssue ?? reader.issue("\(error)")
    }
}
