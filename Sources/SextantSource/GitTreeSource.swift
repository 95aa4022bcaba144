package import SextantAPI
package import SextantGit

/// The watched root as the tree of one commit, read through libgit2 without a work tree.
package final class GitTreeSource: ManifestSource {
    /// The repository the tree is read from.
    package let repository: GitRepository
    /// The commit whose tree this is.
    package let commit: String
    /// The watched root inside the repository ("" for the root).
    package let root: String
    private let entries: [String: TreeEntry]
    private let directories: Set<String>

    /// Lists the tree of `commit` under `root` once; files are read when asked for.
    /// - Throws: `GitError` when the commit or the root is not in the repository.
    package init(repository: GitRepository, commit: String, root: String) throws(GitError) {
        self.repository = repository
        self.commit = commit
        self.root = root.split(separator: "/").joined(separator: "/")
        let listed = try repository.files(at: commit, under: self.root)
        self.entries = Dictionary(listed.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var directories: Set<String> = [""]
        for entry in listed {
            var components = entry.path.split(separator: "/").dropLast()
            while !components.isEmpty {
                directories.insert(components.joined(separator: "/"))
                components = components.dropLast()
            }
        }
        self.directories = directories
    }

    /// A path under the root as messages name it: relative to the repository root.
    package func displayPath(_ path: String) -> String {
        root.isEmpty ? path : root + "/" + path
    }

    /// Every file and symlink under the root (submodules are not files of the commit).
    package func listFiles() throws(SourceError) -> [SourceFile] {
        entries.values.filter { $0.kind != .submodule }.map { SourceFile(path: $0.path, isSymlink: $0.kind == .symlink) }
    }

    /// A file's bytes, following symlinks inside the root.
    package func read(_ path: String) throws(SourceError) -> [UInt8] {
        guard case .resolved(let resolved) = resolve(path), let entry = entries[resolved] else {
            throw SourceError("\(displayPath(path)): no such file at \(commit.prefix(7))")
        }
        do throws(GitError) {
            return try repository.read(entry)
        } catch {
            throw SourceError(error.description)
        }
    }

    /// The blob id, which names the file's content for the parse cache.
    package func contentID(_ path: String) -> String? { blobID(of: path) }

    /// A file's size from its object header, without reading it.
    package func byteCount(_ path: String) -> Int? {
        blobID(of: path).flatMap { try? repository.blobSize($0) }
    }

    /// The blob id of every regular file under the root, by path.
    package var regularFiles: [String: String] {
        var files: [String: String] = [:]
        for (path, entry) in entries where entry.kind == .file || entry.kind == .executable { files[path] = entry.objectID }
        return files
    }

    /// The blob id of a file, following symlinks inside the root.
    package func blobID(of path: String) -> String? {
        guard case .resolved(let resolved) = resolve(path), let entry = entries[resolved], entry.kind != .submodule else { return nil }
        return entry.objectID
    }

    /// Whether a path is a file, a directory, missing, or leads above the root.
    package func status(of path: String) -> PathStatus {
        switch resolve(path) {
        case .escapes: return .escapesRoot
        case .missing: return .missing
        case .resolved(let resolved):
            if directories.contains(resolved) { return .directory }
            return entries[resolved] == nil ? .missing : .file
        }
    }

    private enum Resolution {
        case resolved(String)
        case missing
        case escapes
    }

    /// Follows symlinks in the tree component by component, lexically, refusing any that
    /// lead above the watched root.
    private func resolve(_ path: String, depth: Int = 0) -> Resolution {
        guard depth < 16 else { return .missing }
        var resolved: [Substring] = []
        var remaining = path.split(separator: "/")[...]
        while let component = remaining.popFirst() {
            if component == "." { continue }
            if component == ".." {
                guard !resolved.isEmpty else { return .escapes }
                resolved.removeLast()
                continue
            }
            resolved.append(component)
            let current = resolved.joined(separator: "/")
            if let entry = entries[current], entry.kind == .symlink {
                // A link's target is a path: a blob larger than any path is not read.
                guard (try? repository.blobSize(entry.objectID)).map({ $0 <= 4096 }) == true,
                      let target = try? repository.read(entry) else { return .missing }
                let targetText = String(decoding: target, as: UTF8.self)
                if targetText.hasPrefix("/") { return .escapes }
                let base = resolved.dropLast().joined(separator: "/")
                let joined = (base.isEmpty ? targetText : base + "/" + targetText) + (remaining.isEmpty ? "" : "/" + remaining.joined(separator: "/"))
                return resolve(joined, depth: depth + 1)
            }
        }
        return .resolved(resolved.joined(separator: "/"))
    }
}
