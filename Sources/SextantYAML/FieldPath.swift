/// The path of a field inside a document, such as `spec.evaluation.gates[0].min`.
package struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// One step of a path: a mapping key or a sequence index.
    package enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    package var components: [Component]

    package init(_ components: [Component] = []) {
        self.components = components
    }

    package init(arrayLiteral elements: Component...) {
        self.components = elements
    }

    /// The path of the root of a document.
    package static let root = FieldPath()

    package var isRoot: Bool { components.isEmpty }

    /// This path followed by a mapping key.
    package func appending(_ key: String) -> FieldPath {
        FieldPath(components + [.key(key)])
    }

    /// This path followed by a sequence index.
    package func appending(index: Int) -> FieldPath {
        FieldPath(components + [.index(index)])
    }

    package var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text.isEmpty ? "(document)" : text
    }
}

extension FieldPath.Component: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    package init(stringLiteral value: String) { self = .key(value) }
    package init(integerLiteral value: Int) { self = .index(value) }
}
