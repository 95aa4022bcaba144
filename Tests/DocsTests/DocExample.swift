/// One command quoted in the docs or a help text, and the output quoted after it.
struct DocCommand: Equatable, Sendable {
    /// Where the command is written: `FILE:LINE`, or `sextant NAME --help`.
    var source: String
    /// The command as bash reads it; `\` continuation lines stay in.
    var text: String
    /// The lines quoted after it; empty means the output is not checked.
    var quotedOutput: [String]
}

/// A ```console block, or the examples of one `--help` text: commands run in one shell.
struct DocBlock: Sendable {
    var source: String
    var commands: [DocCommand]
    /// Set by an explicit `<!-- docs-test: skip (REASON) -->` right before the block.
    var skipReason: String?
}

/// Something in a page that breaks the convention of docs/contributing.md.
struct DocProblem: Equatable, Sendable, CustomStringConvertible {
    var source: String
    var message: String
    var description: String { "\(source): \(message)" }
}
