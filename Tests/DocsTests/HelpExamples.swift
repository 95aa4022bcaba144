import Foundation

/// The `Examples:` section of a `--help` text: one command per line, two spaces in,
/// `\`, `|` or `&&` continuing it on the next line.
enum HelpExamples {
    /// The example lines exactly as printed (for the width check).
    static func lines(in help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "Examples:") else { return [] }
        return Array(lines[(start + 1)...].prefix(while: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }))
    }

    /// The commands, continuation lines joined as bash reads them.
    static func commands(in help: String, command: String) -> [DocCommand] {
        var commands: [DocCommand] = []
        var continuing = false
        for line in lines(in: help) {
            let text = String(line.drop(while: { $0 == " " }))
            if continuing {
                commands[commands.count - 1].text += "\n    " + text
            } else {
                commands.append(DocCommand(source: command.isEmpty ? "sextant --help" : "sextant \(command) --help", text: text, quotedOutput: []))
            }
            continuing = text.hasSuffix("\\") || text.hasSuffix("|") || text.hasSuffix("&&")
        }
        return commands
    }

    /// The subcommands listed by `sextant --help`.
    static func subcommands(in help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "SUBCOMMANDS:") else { return [] }
        return lines[(start + 1)...]
            .prefix(while: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
    }
}
