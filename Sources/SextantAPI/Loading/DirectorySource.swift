#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import SextantYAML

/// A watched root on the file system.
package struct DirectorySource: ConcurrentManifestSource {
    /// The directory as given on the command line.
    package let root: String
    private let resolvedRoot: String

    /// - Throws: `SourceError` when `root` is not a readable directory.
    package init(root: String) throws(SourceError) {
        var info = stat()
        guard stat(root, &info) == 0 else {
            throw SourceError("\(root): no such directory")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw SourceError("\(root): not a directory; give the directory that holds the manifests (the watched root)")
        }
        self.root = root
        self.resolvedRoot = Self.realPath(root) ?? root
    }

    package func displayPath(_ path: String) -> String {
        if root == "." { return path }
        return root.hasSuffix("/") ? root + path : root + "/" + path
    }

    package func listFiles() throws(SourceError) -> [SourceFile] {
        var files: [SourceFile] = []
        try walk("", into: &files)
        return files
    }

    package func read(_ path: String) throws(SourceError) -> [UInt8] {
        try read(path, limit: nil)
    }

    package func readPrefix(_ path: String, count: Int) throws(SourceError) -> [UInt8] {
        try read(path, limit: count)
    }

    /// A manifest's bytes with one `open`, `fstat`, `read` and `close`: a file over the
    /// size limit is refused unread, and no more than one byte past the limit is ever read
    /// (a file may grow meanwhile).
    package func readManifest(_ path: String, limits: YAMLLimits) throws(SourceError) -> [UInt8] {
        try read(path, limit: min(limits.maxFileBytes, Int.max - 1) + 1, sizeProblem: limits.fileSizeProblem)
    }

    /// - Parameter sizeProblem: why a file of the size `fstat` gives is not read at all.
    private func read(_ path: String, limit: Int?, sizeProblem: ((Int) -> String?)? = nil) throws(SourceError) -> [UInt8] {
        let full = displayPath(path)
        let descriptor = open(full, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SourceError("\(full): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw SourceError("\(full): cannot read (\(String(cString: strerror(errno))))")
        }
        if info.st_mode & S_IFMT == S_IFREG, let problem = sizeProblem?(Int(info.st_size)) {
            throw SourceError(problem)
        }
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size), limit ?? .max))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { break }
                throw SourceError("\(full): cannot read (\(String(cString: strerror(errno))))")
            }
            offset += count
        }
        return offset == bytes.count ? bytes : Array(bytes.prefix(offset))
    }

    package func byteCount(_ path: String) -> Int? {
        var info = stat()
        guard stat(displayPath(path), &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    package func status(of path: String) -> PathStatus {
        let full = displayPath(path)
        var info = stat()
        guard lstat(full, &info) == 0 else { return .missing }
        guard let real = Self.realPath(full) else {
            // A dangling symlink: judge where it points, so an escape is named as one.
            return info.st_mode & S_IFMT == S_IFLNK && Self.linkTarget(full)?.hasPrefix("/") == true ? .escapesRoot : .missing
        }
        guard real == resolvedRoot || real.hasPrefix(resolvedRoot == "/" ? "/" : resolvedRoot + "/") else { return .escapesRoot }
        var target = stat()
        guard stat(full, &target) == 0 else { return .missing }
        return target.st_mode & S_IFMT == S_IFDIR ? .directory : .file
    }

    private func walk(_ relative: String, into files: inout [SourceFile]) throws(SourceError) {
        let directory = relative.isEmpty ? root : displayPath(relative)
        guard let handle = opendir(directory) else {
            throw SourceError("\(directory): cannot list (\(String(cString: strerror(errno))))")
        }
        defer { closedir(handle) }
        var subdirectories: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = relative.isEmpty ? name : relative + "/" + name
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                if lstat(displayPath(path), &info) == 0 {
                    switch info.st_mode & S_IFMT {
                    case S_IFDIR: type = UInt8(DT_DIR)
                    case S_IFLNK: type = UInt8(DT_LNK)
                    default: type = UInt8(DT_REG)
                    }
                }
            }
            switch type {
            case UInt8(DT_DIR):
                // Dot-directories (.git, .github, …) never hold manifests.
                if !name.hasPrefix(".") { subdirectories.append(path) }
            case UInt8(DT_LNK):
                files.append(SourceFile(path: path, isSymlink: true))
            default:
                files.append(SourceFile(path: path))
            }
        }
        for subdirectory in subdirectories {
            try walk(subdirectory, into: &files)
        }
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
