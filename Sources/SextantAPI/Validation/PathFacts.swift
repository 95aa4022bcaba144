import Synchronization

/// What reference checks ask of a source's paths, asked once per path: two thousand
/// datasets reading one shared file resolve and read it once. The answers are kept under
/// a lock, so checks on several threads share them (for a source that may be read from
/// several threads at once; the source is asked outside the lock).
final class PathFacts<Source: ManifestSource> {
    let source: Source
    private let known = Mutex<(statuses: [String: PathStatus], pointers: [String: Bool])>(([:], [:]))

    init(_ source: Source) {
        self.source = source
    }

    func status(of path: String) -> PathStatus {
        if let status = known.withLock({ $0.statuses[path] }) { return status }
        let status = source.status(of: path)
        known.withLock { $0.statuses[path] = status }
        return status
    }

    /// True when the file at `path` starts as a Git LFS pointer.
    func isLFSPointer(_ path: String) -> Bool {
        if let isPointer = known.withLock({ $0.pointers[path] }) { return isPointer }
        let bytes = try? source.readPrefix(path, count: ManifestSet.lfsPointerPrefix.count)
        let isPointer = bytes.map { ManifestSet.isLFSPointer($0[...]) } ?? false
        known.withLock { $0.pointers[path] = isPointer }
        return isPointer
    }
}

extension PathFacts: @unchecked Sendable where Source: ConcurrentManifestSource {}
