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
    /// The blob id of every regular file under the root, by path.
    package let regularFiles: [String: String]
    /// How many entries are symlinks: a tree without any resolves every path lexically.
    package let symlinkCount: Int

    /// Lists the tree of `commit` under `root` once; files are read when asked for.
    /// - Throws: `GitError` when the commit or the root is not in the repository.
    package convenience init(repository: GitRepository, commit: String, root: String) throws(GitError) {
        let root = root.split(separator: "/").joined(separator: "/")
        let listed = try repository.files(at: commit, under: root)
        self.init(repository: repository, commit: commit, root: root,
                  entries: Dictionary(listed.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first }), directories: nil)
    }

    /// The tree of `commit`, made from the tree of an earlier commit of the same root and
    /// the changes between the two (`GitRepository.changes(from:to:under:)`), without
    /// listing the whole tree again.
    package convenience init(updating previous: GitTreeSource, to commit: String, changes: [TreeChange]) {
        var entries = previous.entries
        var directories: Set<String>? = previous.directories
        for change in changes {
            if let entry = change.new {
                if entries.updateValue(entry, forKey: change.path) == nil, directories != nil { Self.addParents(of: change.path, to: &directories!) }
            } else {
                entries[change.path] = nil
                directories = nil  // a folder may have lost its last file: listed again below
            }
        }
        self.init(repository: previous.repository, commit: commit, root: previous.root, entries: entries, directories: directories)
    }

    private init(repository: GitRepository, commit: String, root: String, entries: [String: TreeEntry], directories: Set<String>?) {
        self.repository = repository
        self.commit = commit
        self.root = root
        self.entries = entries
        if let directories {
            self.directories = directories
        } else {
            var directories: Set<String> = [""]
            for path in entries.keys { Self.addParents(of: path, to: &directories) }
            self.directories = directories
        }
        var files: [String: String] = [:]
        var symlinks = 0
        for (path, entry) in entries {
            switch entry.kind {
            case .file, .executable: files[path] = entry.objectID
            case .symlink: symlinks += 1
            case .submodule: break
            }
        }
        self.regularFiles = files
        self.symlinkCount = symlinks
    }

    /// Adds the folders a path lies in (each folder's own folders are there already).
    private static func addParents(of path: String, to directories: inout Set<String>) {
        var components = path.split(separator: "/").dropLast()
        while !components.isEmpty, directories.insert(components.joined(separator: "/")).inserted {
            components = components.dropLast()
        }
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
