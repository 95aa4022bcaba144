/// What reference checks ask of a source's paths, asked once per path: two thousand
/// datasets reading one shared file resolve and read it once.
final class PathFacts<Source: ManifestSource> {
    let source: Source
    private var statuses: [String: PathStatus] = [:]
    private var pointers: [String: Bool] = [:]

    init(_ source: Source) {
        self.source = source
    }

    func status(of path: String) -> PathStatus {
        if let known = statuses[path] { return known }
        let status = source.status(of: path)
        statuses[path] = status
        return status
    }

    /// True when the file at `path` starts as a Git LFS pointer.
    func isLFSPointer(_ path: String) -> Bool {
        if let known = pointers[path] { return known }
        let bytes = try? source.readPrefix(path, count: ManifestSet.lfsPointerPrefix.count)
        let isPointer = bytes.map { ManifestSet.isLFSPointer($0[...]) } ?? false
        pointers[path] = isPointer
        return isPointer
    }
}
