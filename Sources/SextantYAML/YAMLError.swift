/// A file that is not acceptable YAML: a syntax error, a duplicate key or a limit passed.
package struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    package var file: String
    package var mark: SourceMark
    package var message: String

    package init(file: String, mark: SourceMark, message: String) {
        self.file = file
        self.mark = mark
        self.message = message
    }

    /// `FILE:LINE:COL: message`, as compilers print it.
    package var description: String { "\(file):\(mark): \(message)" }
}
