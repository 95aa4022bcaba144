import Foundation

/// Reads the runnable examples of a Markdown page (the convention of docs/contributing.md):
/// ```console blocks whose `$ ` lines are commands and whose other lines are the output
/// quoted after them.
enum MarkdownExamples {
    /// The comment that skips the block right after it; the reason is required.
    static var skipMarker: Regex<(Substring, reason: Substring)> { #/<!--\s*docs-test:\s*skip\s*\((?<reason>[^)]+)\)\s*-->/# }

    /// The blocks of `text`, and the places that hide a command from the test.
    static func parse(_ text: String, file: String) -> (blocks: [DocBlock], problems: [DocProblem]) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [DocBlock] = []
        var problems: [DocProblem] = []
        var index = 0
        var previous = ""
        while index < lines.count {
            let line = lines[index]
            guard line.hasPrefix("```") else {
                if line.contains("docs-test:"), line.firstMatch(of: skipMarker) == nil {
                    problems.append(DocProblem(source: "\(file):\(index + 1)",
                                               message: "a docs-test comment must read <!-- docs-test: skip (REASON) -->"))
                }
                if !line.trimmingCharacters(in: .whitespaces).isEmpty { previous = line }
                index += 1
                continue
            }
            let info = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
            let start = index
            var body: [String] = []
            index += 1
            while index < lines.count, !lines[index].hasPrefix("```") {
                body.append(lines[index])
                index += 1
            }
            index += 1
            let source = "\(file):\(start + 1)"
            let skipReason = previous.firstMatch(of: skipMarker).map { String($0.output.reason) }
            previous = ""
            if info == "console" {
                let (commands, stray) = commands(in: body, file: file, firstLine: start + 2)
                problems += stray
                blocks.append(DocBlock(source: source, commands: commands, skipReason: skipReason))
            } else if skipReason != nil {
                blocks.append(DocBlock(source: source, commands: [], skipReason: skipReason))
            } else if ["", "sh", "bash", "shell", "text"].contains(info), body.contains(where: looksLikeCommand) {
                problems.append(DocProblem(source: source, message:
                    "commands in a ```\(info) block are not run; write them as `$ ` lines in a ```console block, or skip the block with a reason"))
            }
        }
        return (blocks, problems)
    }

    /// A line a reader would copy into a shell (indented lines are diagrams or output).
    static func looksLikeCommand(_ line: String) -> Bool {
        line.hasPrefix("sextant ") || line.hasPrefix("$ ") || line.hasPrefix(".build/debug/sextant ")
    }

    /// Splits a console block into commands (with `\` continuations) and quoted output.
    static func commands(in body: [String], file: String, firstLine: Int) -> ([DocCommand], [DocProblem]) {
        var commands: [DocCommand] = []
        var problems: [DocProblem] = []
        var index = 0
        while index < body.count {
            let line = body[index]
            guard line.hasPrefix("$ ") else {
                if commands.isEmpty, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    problems.append(DocProblem(source: "\(file):\(firstLine + index)",
                                               message: "output before the first `$ ` command"))
                } else if !commands.isEmpty {
                    commands[commands.count - 1].quotedOutput.append(line)
                }
                index += 1
                continue
            }
            let source = "\(file):\(firstLine + index)"
            var text = String(line.dropFirst(2))
            while text.hasSuffix("\\"), index + 1 < body.count {
                index += 1
                text += "\n" + body[index]
            }
            commands.append(DocCommand(source: source, text: text, quotedOutput: []))
            index += 1
        }
        for position in commands.indices {
            while commands[position].quotedOutput.last?.trimmingCharacters(in: .whitespaces).isEmpty == true {
                commands[position].quotedOutput.removeLast()
            }
        }
        return (commands, problems)
    }
}
