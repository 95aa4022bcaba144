import Foundation

/// Checks the relative links of a Markdown page: each must name a file inside the
/// repository, and an anchor a heading of that page.
enum LinkChecker {
    static var link: Regex<(Substring, target: Substring)> { #/\]\((?<target>[^)\s]+)\)/# }

    /// The broken links of `text`, a page at `file` (relative to `root`).
    static func problems(in text: String, file: String, root: String) -> [DocProblem] {
        let directory = (file as NSString).deletingLastPathComponent
        var problems: [DocProblem] = []
        var inFence = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") { inFence.toggle() }
            if inFence { continue }
            for match in line.matches(of: link) {
                let target = String(match.output.target)
                if target.contains("://") || target.hasPrefix("mailto:") { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let path = String(parts[0])
                let anchor = parts.count > 1 ? String(parts[1]) : nil
                let relative = path.isEmpty ? file : normalised(directory.isEmpty ? path : "\(directory)/\(path)")
                let source = "\(file):\(index + 1)"
                if relative.hasPrefix("..") || relative.hasPrefix("/") {
                    problems.append(DocProblem(source: source, message:
                        "\(target) points outside the repository; link a page of docs/ instead"))
                    continue
                }
                let full = "\(root)/\(relative)"
                guard FileManager.default.fileExists(atPath: full) else {
                    problems.append(DocProblem(source: source, message: "\(target): no file \(relative) in the repository"))
                    continue
                }
                if let anchor, relative.hasSuffix(".md"),
                   let page = try? String(contentsOfFile: full, encoding: .utf8),
                   !anchors(of: page).contains(anchor) {
                    problems.append(DocProblem(source: source, message: "\(target): \(relative) has no heading #\(anchor)"))
                }
            }
        }
        return problems
    }

    /// A relative path with `.` and `..` resolved; a leading `..` stays (outside the root).
    static func normalised(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }

    /// GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to `-`.
    static func anchors(of page: String) -> Set<String> {
        var result: Set<String> = []
        var inFence = false
        for line in page.split(separator: "\n") {
            if line.hasPrefix("```") { inFence.toggle() }
            guard !inFence, line.hasPrefix("#") else { continue }
            let title = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
            var slug = ""
            for character in title.lowercased() {
                if character.isLetter || character.isNumber || character == "-" || character == "_" {
                    slug.append(character)
                } else if character == " " {
                    slug.append("-")
                }
            }
            var candidate = slug
            var counter = 1
            while result.contains(candidate) {
                candidate = "\(slug)-\(counter)"
                counter += 1
            }
            result.insert(candidate)
        }
        return result
    }
}
