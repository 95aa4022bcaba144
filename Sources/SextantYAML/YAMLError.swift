/// A file that is not acceptable YAML: a syntax error, a duplicate key or a limit passed.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var mark: SourceMark
    public var message: String

    public init(file: String, mark: SourceMark, message: String) {
        self.file = file
        self.mark = mark
        self.message = message
    }

    /// `FILE:LINE:COL: message`, as compilers print it.
    public var description: String { "\(file):\(mark): \(message)" }
}
