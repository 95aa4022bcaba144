#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The patterns of a `.sextantignore` file, in gitignore syntax: `#` comments, `!` negation,
/// a leading `/` anchors to the root, a trailing `/` matches directories only, `*`, `?`,
/// `[…]` within a path segment and `**` across segments. A pattern without a `/` (other
/// than a trailing one) matches at any depth. Later patterns win.
package struct IgnoreRules: Sendable, Hashable {
    struct Pattern: Sendable, Hashable {
        var segments: [String]
        var negated: Bool
        var directoryOnly: Bool
    }

    var patterns: [Pattern]

    /// The name of the file at the watched root.
    package static let fileName = ".sextantignore"

    package init(_ text: String) {
        patterns = text.split(whereSeparator: \.isNewline).compactMap { Self.pattern(String($0)) }
    }

    /// True when the file at `path` (relative to the root) is ignored, directly or because
    /// a directory on its way is.
    package func ignores(_ path: String) -> Bool {
        guard !patterns.isEmpty else { return false }
        let segments = path.split(separator: "/").map(String.init)
        // A directory that is ignored hides everything below it, as in Git.
        for depth in 1..<max(segments.count, 1) where matches(Array(segments.prefix(depth)), isDirectory: true) {
            return true
        }
        return matches(segments, isDirectory: false)
    }

    private func matches(_ segments: [String], isDirectory: Bool) -> Bool {
        var ignored = false
        for pattern in patterns where !pattern.directoryOnly || isDirectory {
            if Self.match(pattern.segments[...], segments[...]) { ignored = !pattern.negated }
        }
        return ignored
    }

    private static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            var remaining = path
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let segment = path.first, fnmatch(first, segment, 0) == 0 else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    private static func pattern(_ line: String) -> Pattern? {
        var text = line.trimmingTrailingSpaces()
        guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
        var negated = false
        if text.hasPrefix("!") {
            negated = true
            text.removeFirst()
        } else if text.hasPrefix("\\") {
            text.removeFirst()
        }
        var directoryOnly = false
        if text.hasSuffix("/") {
            directoryOnly = true
            text.removeLast()
        }
        let anchored = text.contains("/")
        var segments = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !segments.isEmpty else { return nil }
        if !anchored { segments.insert("**", at: 0) }
        return Pattern(segments: segments, negated: negated, directoryOnly: directoryOnly)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " || text.last == "\r" { text.removeLast() }
        return text
    }
}
