#if canImport(Glibc)
import Glibc
#endif

/// The files a trainer wrote, copied into the state directory as a version's weights.
///
/// The trainer's output directory is written by repository code (another user's, under a
/// sandbox), so it is read as untrusted: every name is opened relative to its directory's
/// descriptor without following symlinks, and only plain directories and regular files
/// with a single link are taken — a symlink or hard link to a file the trainer could not
/// read itself would otherwise be copied by the daemon into the model.
enum ModelFiles {
    struct CopyError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Copies the tree under `source` to `destination` (created); returns the number of files.
    static func copy(from source: String, to destination: String) throws(CopyError) -> Int {
        let directory = open(source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { throw CopyError("cannot open \(source): \(String(cString: strerror(errno)))") }
        return try copyDirectory(directory, named: source, to: destination)
    }

    /// Takes ownership of `descriptor` (closed on return).
    private static func copyDirectory(_ descriptor: Int32, named name: String, to destination: String) throws(CopyError) -> Int {
        guard let stream = fdopendir(descriptor) else {
            close(descriptor)
            throw CopyError("cannot list \(name): \(String(cString: strerror(errno)))")
        }
        defer { closedir(stream) }
        guard mkdir(destination, 0o755) == 0 || errno == EEXIST else {
            throw CopyError("cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        var entries: [String] = []
        while let entry = readdir(stream) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if entryName != "." && entryName != ".." { entries.append(entryName) }
        }
        var files = 0
        for entryName in entries.sorted() {
            let path = name + "/" + entryName
            let child = openat(descriptor, entryName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard child >= 0 else {
                throw CopyError(errno == ELOOP ? "\(path) is a symlink; write regular files only" : "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard fstat(child, &info) == 0 else {
                close(child)
                throw CopyError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                files += try copyDirectory(child, named: path, to: destination + "/" + entryName)
            case S_IFREG where info.st_nlink == 1:
                defer { close(child) }
                try copyFile(child, named: path, to: destination + "/" + entryName)
                files += 1
            case S_IFREG:
                close(child)
                throw CopyError("\(path) is a hard link (\(info.st_nlink) names); write plain files only")
            default:
                close(child)
                throw CopyError("\(path) is not a regular file or directory; write plain files only")
            }
        }
        return files
    }

    private static func copyFile(_ source: Int32, named name: String, to destination: String) throws(CopyError) {
        let target = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard target >= 0 else { throw CopyError("cannot create \(destination): \(String(cString: strerror(errno)))") }
        defer { close(target) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw CopyError("cannot read \(name): \(String(cString: strerror(errno)))") }
            if count == 0 { return }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { write(target, $0.baseAddress! + written, count - written) }
                if step < 0 && errno == EINTR { continue }
                guard step > 0 else { throw CopyError("cannot write \(destination): \(String(cString: strerror(errno)))") }
                written += step
            }
        }
    }
}
