import Foundation

/// Compares what a command printed with the output quoted after it in the docs.
///
/// Both sides are normalised first (times, durations, SHAs, ports, pids, temporary paths,
/// runs of spaces), then a quoted line of `...` matches any number of lines and `...`
/// inside a line matches any text, as doctest's ELLIPSIS does.
struct QuotedOutput {
    private enum Line {
        case anyLines
        case pattern(Regex<AnyRegexOutput>, quoted: String)
    }

    private let lines: [Line]

    init(_ quoted: [String]) {
        lines = quoted.map { line in
            let normalised = Self.normalise(line)
            if normalised == "..." { return .anyLines }
            let pattern = normalised.components(separatedBy: "...")
                .map { Self.escaped($0.trimmingCharacters(in: .whitespaces)) }.joined(separator: ".*")
            // An escaped literal joined by `.*` always compiles.
            return .pattern(try! Regex(pattern), quoted: line)
        }
    }

    /// Whether `output` (a command's whole output) matches the quote.
    func matches(_ output: String) -> Bool {
        let actual = Self.outputLines(output).map(Self.normalise)
        var memo: [Int: Bool] = [:]
        func match(_ quoted: Int, _ printed: Int) -> Bool {
            let key = quoted * (actual.count + 1) + printed
            if let known = memo[key] { return known }
            let result: Bool
            if quoted == lines.count {
                result = printed == actual.count
            } else {
                switch lines[quoted] {
                case .anyLines:
                    result = (printed...actual.count).contains { match(quoted + 1, $0) }
                case .pattern(let regex, _):
                    result = printed < actual.count && actual[printed].wholeMatch(of: regex) != nil
                        && match(quoted + 1, printed + 1)
                }
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }

    /// A line diff of the quote (`-`) against the output (`+`), matching lines as context.
    func diff(against output: String) -> String {
        let printed = Self.outputLines(output)
        let actual = printed.map(Self.normalise)
        func same(_ quoted: Int, _ line: Int) -> Bool {
            if case .pattern(let regex, _) = lines[quoted] { return actual[line].wholeMatch(of: regex) != nil }
            return false
        }
        // Longest common subsequence, then a walk that prints it.
        var table = Array(repeating: Array(repeating: 0, count: actual.count + 1), count: lines.count + 1)
        for quoted in stride(from: lines.count - 1, through: 0, by: -1) {
            for line in stride(from: actual.count - 1, through: 0, by: -1) {
                table[quoted][line] = same(quoted, line)
                    ? table[quoted + 1][line + 1] + 1
                    : max(table[quoted + 1][line], table[quoted][line + 1])
            }
        }
        var result: [String] = []
        var quoted = 0
        var line = 0
        while quoted < lines.count || line < actual.count {
            if quoted < lines.count, line < actual.count, same(quoted, line) {
                result.append("  " + printed[line])
                quoted += 1
                line += 1
            } else if quoted < lines.count, case .anyLines = lines[quoted] {
                result.append("  ...")
                quoted += 1
            } else if quoted < lines.count, line == actual.count || table[quoted + 1][line] >= table[quoted][line + 1] {
                if case .pattern(_, let text) = lines[quoted] { result.append("- " + text) }
                quoted += 1
            } else {
                result.append("+ " + printed[line])
                line += 1
            }
        }
        return result.joined(separator: "\n")
    }

    /// Output lines without the trailing empty ones.
    static func outputLines(_ output: String) -> [String] {
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines
    }

    /// What may differ between two runs of the same command, replaced by placeholders.
    static var variableParts: [(Regex<AnyRegexOutput>, String)] { [
        (Regex(#/(?:/private)?/tmp/[^\s"',)]*/#), "<tmp>"),
        (Regex(#/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/#), "<time>"),
        (Regex(#/\b\d\d:\d\d:\d\d(?:\.\d+)?\b/#), "<time>"),
        (Regex(#/\b(127\.0\.0\.1|localhost|0\.0\.0\.0):\d+/#), "<address>"),
        (Regex(#/\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,64}\b/#), "<sha>"),
        (Regex(#/\bpid \d+/#), "pid <pid>"),
        (Regex(#/\b\d+(?:\.\d+)?(?:e-?\d+)? ?(?:ms|µs|s|m|h|d)\b/#), "<duration>"),
        (Regex(#/[ \t]+/#), " "),
    ] }

    static func normalise(_ line: String) -> String {
        var result = line
        for (pattern, placeholder) in variableParts {
            result = result.replacing(pattern, with: placeholder)
        }
        return result.trimmingCharacters(in: .whitespaces)
    }

    private static func escaped(_ literal: String) -> String {
        var result = ""
        for character in literal {
            if character.isASCII, !character.isLetter, !character.isNumber, character != " " { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
