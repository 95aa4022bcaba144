/// One change to a YAML file, made in place by `YAMLEditor`.
package enum YAMLEdit: Sendable, Hashable {
    /// Sets the scalar at a path to a value, written the way the old one was where the
    /// value allows it (a plain scalar stays plain, a quoted one keeps its quotes).
    case setScalar(FieldPath, Scalar.Resolved)
    /// Replaces the node at a path (a scalar, or a block or flow collection) with the text
    /// the same path has in another version of the file, re-indented to the node's column:
    /// how a rollback restores `spec.training` as it was.
    case restoreNode(FieldPath, from: [UInt8])

    /// The path the edit changes.
    package var path: FieldPath {
        switch self {
        case .setScalar(let path, _), .restoreNode(let path, _): return path
        }
    }
}

/// Why a YAML file cannot be edited in place: one line naming the file, the line and the path.
package struct YAMLEditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for callers that react to it.
    package enum Problem: Sendable, Hashable {
        /// The file (or the other version a node is restored from) is not valid YAML.
        case invalidYAML
        /// The file holds more than one document (or a UTF-16 encoding): edits need one UTF-8 document.
        case unsupportedFile
        /// Nothing at the path.
        case missingPath
        /// The node, one that holds it or one inside it has an anchor or is an alias:
        /// an edit would change other nodes too.
        case sharedNode
        /// The node is not written in a way an in-place edit keeps (a block scalar, a tag,
        /// a collection where a scalar was asked for).
        case unsupportedNode
        /// Two edits change the same bytes.
        case overlappingEdits
    }

    package var problem: Problem
    package var file: String
    package var mark: SourceMark
    /// The path edited, or nil for a problem of the whole file.
    package var path: FieldPath?
    package var message: String

    package init(_ problem: Problem, file: String, mark: SourceMark, path: FieldPath?, message: String) {
        self.problem = problem
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
    }

    /// `FILE:LINE:COL: PATH: message`.
    package var description: String {
        "\(file):\(mark): " + (path.map { "\($0): " } ?? "") + message
    }
}
