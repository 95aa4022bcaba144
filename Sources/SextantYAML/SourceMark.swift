/// A position in a YAML file: 1-based line and column, as editors and compilers count them.
package struct SourceMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 1-based line.
    package var line: Int
    /// The 1-based column, counted in characters (Unicode scalars) from the start of the line.
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The start of a file.
    package static let start = SourceMark(line: 1, column: 1)

    package var description: String { "\(line):\(column)" }

    package static func < (lhs: SourceMark, rhs: SourceMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
