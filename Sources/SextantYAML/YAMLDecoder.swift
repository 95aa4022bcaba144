import Synchronization

/// Decodes `Decodable` types from YAML nodes, reporting every problem with the field's path
/// and position.
///
/// Types whose `CodingKeys` are `CaseIterable` are *strict*: a key that is not one of their
/// cases is reported as an unknown field (with a "did you mean" hint). Other types ignore
/// keys they do not read, which is how open standards (ODCS, OpenSLO) are read.
///
/// Type errors stop the decoding of a document at the first one; unknown fields are all
/// reported, and do not stop decoding.
package struct YAMLDecoder: Sendable {
    package init() {}

    /// The decoded value (nil when a type error stopped decoding) and every problem found.
    package func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode) -> (value: T?, issues: [YAMLDecodingIssue]) {
        let context = DecodingContext()
        let decoder = NodeDecoder(node: node, parent: nil, component: nil, keyMark: node.mark, context: context)
        do {
            let value = try T(from: decoder)
            // Type errors in optional fields were recorded and decoding went on, so that all
            // of them are reported; a value with any of them is still not a valid value.
            return (context.hasTypeErrors ? nil : value, context.issues)
        } catch let issue as YAMLDecodingIssue {
            return (nil, context.issues + [issue])
        } catch let error as DecodingError {
            return (nil, context.issues + [YAMLDecodingIssue(error, in: node)])
        } catch {
            return (nil, context.issues + [YAMLDecodingIssue(path: .root, mark: node.mark, message: "\(error)")])
        }
    }
}

/// A problem found while decoding: the field's path, its position and what is wrong.
package struct YAMLDecodingIssue: Error, Sendable, Hashable, CustomStringConvertible {
    package var path: FieldPath
    package var mark: SourceMark
    package var message: String

    package init(path: FieldPath, mark: SourceMark, message: String) {
        self.path = path
        self.mark = mark
        self.message = message
    }

    /// Translates an error a type's own `init(from:)` threw, positioned by its coding path
    /// (which our decoders make absolute) inside the document `root`.
    init(_ error: DecodingError, in root: YAMLNode) {
        let (path, message) = Self.pathAndMessage(error)
        self.init(path: path, mark: root.mark(at: path), message: message)
    }

    /// The same, for an error thrown while decoding `decoder`'s node.
    init(_ error: DecodingError, at decoder: NodeDecoder) {
        let (path, message) = Self.pathAndMessage(error)
        let prefix = decoder.path.components
        let relative = path.components.starts(with: prefix) ? FieldPath(Array(path.components.dropFirst(prefix.count))) : .root
        self.init(path: path, mark: decoder.node.mark(at: relative), message: message)
    }

    private static func pathAndMessage(_ error: DecodingError) -> (FieldPath, String) {
        let (codingPath, message): ([any CodingKey], String)
        switch error {
        case .dataCorrupted(let context): (codingPath, message) = (context.codingPath, context.debugDescription)
        case .keyNotFound(let key, let context): (codingPath, message) = (context.codingPath + [key], "required field is missing")
        case .typeMismatch(_, let context): (codingPath, message) = (context.codingPath, context.debugDescription)
        case .valueNotFound(_, let context): (codingPath, message) = (context.codingPath, context.debugDescription)
        @unknown default: (codingPath, message) = ([], "\(error)")
        }
        return (FieldPath(codingPath.map { $0.intValue.map(FieldPath.Component.index) ?? .key($0.stringValue) }), message)
    }

    package var description: String { "\(mark): \(path): \(message)" }
}

/// Shared, single-threaded state of one decoding run.
final class DecodingContext {
    var issues: [YAMLDecodingIssue] = []
    /// True once a type error was recorded rather than thrown.
    var hasTypeErrors = false
    func record(_ issue: YAMLDecodingIssue) {
        issues.append(issue)
        hasTypeErrors = true
    }

    func strictKeys<Key: CodingKey>(for type: Key.Type) -> [String]? {
        StrictKeys.names(of: type)
    }
}

/// The keys of strict types, computed once per type for the whole process: listing a type's
/// cases costs more than decoding a small manifest.
enum StrictKeys {
    private static let cache = Mutex<[ObjectIdentifier: [String]?]>([:])

    static func names<Key: CodingKey>(of type: Key.Type) -> [String]? {
        let id = ObjectIdentifier(type)
        if let known = cache.withLock({ $0[id] }) { return known }
        let names = (type as? any (CodingKey & CaseIterable).Type).map { list($0) }
        cache.withLock { $0[id] = .some(names) }
        return names
    }

    private static func list<Key: CodingKey & CaseIterable>(_ type: Key.Type) -> [String] {
        type.allCases.map(\.stringValue)
    }
}

/// A `Decoder` positioned at one node.
final class NodeDecoder: Decoder {
    let node: YAMLNode
    /// The decoder of the enclosing node and the step from it to this one: the path is built
    /// only when a message needs it, since decoding creates a decoder per field.
    private let parent: NodeDecoder?
    private let component: FieldPath.Component?
    /// The mark of the key that led here, for "missing field" errors.
    let keyMark: SourceMark
    let context: DecodingContext
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: YAMLNode, parent: NodeDecoder?, component: FieldPath.Component?, keyMark: SourceMark, context: DecodingContext) {
        self.node = node
        self.parent = parent
        self.component = component
        self.keyMark = keyMark
        self.context = context
    }

    /// The path from the document's root to this node.
    var path: FieldPath {
        var components: [FieldPath.Component] = []
        var decoder: NodeDecoder? = self
        while let current = decoder, let component = current.component {
            components.append(component)
            decoder = current.parent
        }
        return FieldPath(components.reversed())
    }

    var codingPath: [any CodingKey] {
        path.components.map { component in
            switch component {
            case .key(let key): PathKey(stringValue: key)
            case .index(let index): PathKey(intValue: index)
            }
        }
    }

    func issue(_ message: String, at mark: SourceMark? = nil, path: FieldPath? = nil) -> YAMLDecodingIssue {
        YAMLDecodingIssue(path: path ?? self.path, mark: mark ?? node.mark, message: message)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let pairs = node.pairs else {
            throw issue("expected a mapping, found \(node.kindDescription)")
        }
        if let known = context.strictKeys(for: type) {
            reportUnknownKeys(pairs, known: known)
        }
        return KeyedDecodingContainer(NodeKeyedContainer<Key>(decoder: self, pairs: pairs))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let items = node.items else {
            throw issue("expected a list, found \(node.kindDescription)")
        }
        return NodeUnkeyedContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        NodeSingleValueContainer(decoder: self)
    }

    func child(_ node: YAMLNode, key: String, keyMark: SourceMark) -> NodeDecoder {
        NodeDecoder(node: node, parent: self, component: .key(key), keyMark: keyMark, context: context)
    }

    func child(_ node: YAMLNode, index: Int) -> NodeDecoder {
        NodeDecoder(node: node, parent: self, component: .index(index), keyMark: node.mark, context: context)
    }

    private func reportUnknownKeys(_ pairs: [YAMLNode.Pair], known: [String]) {
        for pair in pairs where !known.contains(pair.name) {
            context.issues.append(NodeReader.unknownField(pair.name, at: pair.key.mark, known: known, in: path))
        }
    }
}

/// A coding key for paths rebuilt from `FieldPath`.
struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

extension YAMLNode: Decodable {
    /// Only a `YAMLDecoder` can produce raw nodes: this is how types read values of any shape.
    package init(from decoder: any Decoder) throws {
        guard let decoder = decoder as? NodeDecoder else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "YAMLNode decodes only with YAMLDecoder"))
        }
        self = decoder.node
    }
}

/// Suggestions for misspelt or shortened names: "did you mean …?", for fields, kinds,
/// references and the names commands and the API are given.
package enum NearestName {
    /// The one wording of a suggestion: `; did you mean "fraud-detector"?`.
    package static func didYouMean(_ suggestion: String) -> String {
        "; did you mean \"\(suggestion)\"?"
    }

    /// `didYouMean` the name `closest` finds, nil when none.
    package static func hint(_ name: String, in known: [String]) -> String? {
        closest(to: name, in: known).map(didYouMean)
    }

    /// The known name a misspelt or shortened one stands for: the nearest one if it is near
    /// enough to be a typo; else the only one that the name (3 characters or more) begins,
    /// or begins one of its segments (`fraud` and `detector` of `fraud-detector`). Case is
    /// ignored.
    package static func closest(to key: String, in known: [String]) -> String? {
        let lowered = key.lowercased()
        var best: (name: String, distance: Int)?
        for name in known {
            let distance = editDistance(lowered, name.lowercased())
            if distance <= max(1, min(3, name.count / 3)), distance < (best?.distance ?? .max) {
                best = (name, distance)
            }
        }
        if let best { return best.name }
        guard lowered.count >= 3 else { return nil }
        let extended = known.filter { name in
            let name = name.lowercased()
            return name.hasPrefix(lowered) || segmentSeparators.contains { name.contains(String($0) + lowered) }
        }
        return extended.count == 1 ? extended[0] : nil
    }

    /// What separates the words of a name: `fraud-detector`, `is_fraud`, `Model/churn`.
    private static let segmentSeparators: [Character] = ["-", "_", ".", "/"]

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and
    /// swaps of neighbours each cost one (`nmae` is one edit from `name`).
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
