package import SextantYAML

/// A problem found in a repository of manifests, printed as `FILE:LINE:COL: message`.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file as reached from the command line (directory argument joined with the path
    /// under it), or relative to the repository root.
    package var file: String
    package var mark: SourceMark
    package var message: String
    /// `Kind/name` of the object concerned, when known.
    package var object: String?

    package init(file: String, mark: SourceMark, message: String, object: String? = nil) {
        self.file = file
        self.mark = mark
        self.message = message
        self.object = object
    }

    public var description: String { "\(file):\(mark.line):\(mark.column): \(message)" }

    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.file, lhs.mark.line, lhs.mark.column, lhs.message) < (rhs.file, rhs.mark.line, rhs.mark.column, rhs.message)
    }
}
