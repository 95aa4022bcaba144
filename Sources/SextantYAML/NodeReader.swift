/// Reads a value from a YAML node by hand-written code, with exactly the messages, paths and
/// positions `YAMLDecoder` gives the same type through `Decodable`, at a fraction of the
/// cost (no decoder object per field, no generic containers).
///
/// The rules are `YAMLDecoder`'s: a strict mapping reports every unknown key; a problem in a
/// required field stops the reading up to the nearest optional field that holds it, where
/// it is recorded and reading goes on; an explicit null is an absent optional field.
package struct NodeReader {
    package let node: YAMLNode
    /// The enclosing reader's path and the step from it: the path is built only for
    /// readers of collections and for messages.
    private let parentPath: FieldPath
    private let component: FieldPath.Component?
    /// The mark of the key that led here, for "missing field" errors.
    private let keyMark: SourceMark
    private let context: DecodingContext

    init(node: YAMLNode, parentPath: FieldPath, component: FieldPath.Component?, keyMark: SourceMark, context: DecodingContext) {
        self.node = node
        self.parentPath = parentPath
        self.component = component
        self.keyMark = keyMark
        self.context = context
    }

    /// The path from the document's root to this node.
    package var path: FieldPath {
        guard let component else { return parentPath }
        return FieldPath(parentPath.components + [component])
    }

    /// A problem with this node.
    package func issue(_ message: String) -> YAMLDecodingIssue {
        YAMLDecodingIssue(path: path, mark: node.mark, message: message)
    }

    /// The node as a mapping. `fields` are the keys of a strict type: any other key is
    /// reported (all of them, reading goes on); nil reads an open type that ignores them.
    package func mapping(fields: [String]?) throws(YAMLDecodingIssue) -> Mapping {
        guard let pairs = node.pairs else {
            throw issue("expected a mapping, found \(node.kindDescription)")
        }
        let path = self.path
        if let fields {
            for pair in pairs where !fields.contains(pair.name) {
                context.issues.append(Self.unknownField(pair, known: fields, in: path))
            }
        }
        return Mapping(pairs: pairs, path: path, keyMark: keyMark, context: context)
    }

    /// The node as a list, each item read by `read`.
    package func list<T>(_ read: (NodeReader) throws -> T) throws -> [T] {
        guard let items = node.items else {
            throw issue("expected a list, found \(node.kindDescription)")
        }
        let path = self.path
        var values: [T] = []
        values.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            values.append(try read(NodeReader(node: item, parentPath: path, component: .index(index), keyMark: item.mark, context: context)))
        }
        return values
    }

    /// The node as a mapping of any keys, each value read by `read` (a problem in any of
    /// them stops the reading, as for a required field).
    package func dictionary<T>(_ read: (NodeReader) throws -> T) throws -> [String: T] {
        let mapping = try self.mapping(fields: nil)
        var values: [String: T] = [:]
        for pair in mapping.pairs {
            values[pair.name] = try read(mapping.child(pair))
        }
        return values
    }

    package func string() throws(YAMLDecodingIssue) -> String {
        do { return try ScalarValue.string(node) } catch { throw issue(error.message) }
    }

    package func bool() throws(YAMLDecodingIssue) -> Bool {
        do { return try ScalarValue.bool(node) } catch { throw issue(error.message) }
    }

    package func integer<T: FixedWidthInteger>(_ type: T.Type = Int.self) throws(YAMLDecodingIssue) -> T {
        do { return try ScalarValue.integer(node, as: type) } catch { throw issue(error.message) }
    }

    package func double() throws(YAMLDecodingIssue) -> Double {
        do { return try ScalarValue.floatingPoint(node, as: Double.self) } catch { throw issue(error.message) }
    }

    /// The fields of a mapping being read.
    package struct Mapping {
        fileprivate let pairs: [YAMLNode.Pair]
        fileprivate let path: FieldPath
        fileprivate let keyMark: SourceMark
        fileprivate let context: DecodingContext

        /// A field that must be there.
        package func required<T>(_ key: String, _ read: (NodeReader) throws -> T) throws -> T {
            guard let pair = pair(key) else {
                throw YAMLDecodingIssue(path: path.appending(key), mark: keyMark, message: "required field \"\(key)\" is missing")
            }
            return try read(child(pair))
        }

        /// A field that may be absent or null. A problem inside it is recorded, and the
        /// field reads as absent, so that one run reports every such problem.
        package func optional<T>(_ key: String, _ read: (NodeReader) throws -> T) -> T? {
            guard let pair = pair(key), !pair.value.isNull else { return nil }
            let child = child(pair)
            do {
                return try read(child)
            } catch {
                context.record(YAMLDecodingIssue(error, at: child))
                return nil
            }
        }

        fileprivate func child(_ pair: YAMLNode.Pair) -> NodeReader {
            NodeReader(node: pair.value, parentPath: path, component: .key(pair.name), keyMark: pair.key.mark, context: context)
        }

        private func pair(_ key: String) -> YAMLNode.Pair? {
            for index in pairs.indices where pairs[index].name == key {
                return pairs[index]
            }
            return nil
        }
    }

    /// The message for a key a strict type does not have, with a "did you mean" hint.
    static func unknownField(_ pair: YAMLNode.Pair, known: [String], in path: FieldPath) -> YAMLDecodingIssue {
        var message = "unknown field \"\(pair.name)\""
        if let hint = NearestName.hint(pair.name, in: known) {
            message += hint
        } else {
            message += "; expected one of: \(known.joined(separator: ", "))"
        }
        return YAMLDecodingIssue(path: path.appending(pair.name), mark: pair.key.mark, message: message)
    }
}

extension YAMLDecoder {
    /// Reads a document with hand-written code: the value (nil when any problem but an
    /// unknown field was found) and every problem, as `decode(_:from:)` gives them.
    package func read<T>(from node: YAMLNode, _ read: (NodeReader) throws -> T) -> (value: T?, issues: [YAMLDecodingIssue]) {
        let context = DecodingContext()
        let reader = NodeReader(node: node, parentPath: .root, component: nil, keyMark: node.mark, context: context)
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
