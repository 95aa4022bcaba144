import SextantYAML

/// What a load keeps so that the next load of a changed tree redoes only what changed.
package struct LoadBasis: Sendable {
    /// The manifest files, sorted.
    var paths: [String]
    /// Each manifest file's parse, by path under the root.
    var files: [String: FileResult]
    var rules: IgnoreRules
    /// Problems found listing the root (an unreadable ignore file, symlinks leaving it).
    var listing: [Diagnostic]
    /// The reference problems of each manifest that has any.
    var references: [ObjectIdentifier: [Diagnostic]] = [:]
}

/// The files that differ between the tree a load read and the next one.
package struct ChangedFiles: Sendable {
    /// Every path under the root added, deleted or changed.
    package var paths: Set<String>
    /// True when only contents changed: no path was added, deleted or changed in kind, so
    /// every path is still the file, directory or nothing it was.
    package var contentOnly: Bool

    package init(paths: Set<String>, contentOnly: Bool) {
        self.paths = paths
        self.contentOnly = contentOnly
    }
}

extension ManifestLoader {
    /// Loads `source` as the tree `previous` was loaded from, changed by `changes`: reads
    /// and parses the changed manifest files only, and checks again the references of the
    /// manifests they hold, of those that refer to them, and of those with problems (whose
    /// suggestions may change). The result is the one `load(_:cache:)` gives.
    ///
    /// For sources that name contents (`contentID`, a Git tree: a path without one, a
    /// submodule, is not a file). The caller guarantees that neither tree holds a symlink
    /// (every path resolves as written); nil when the load must be a full one: `previous` kept no basis, the
    /// ignore file changed, or `previous` counted other classifications as private.
    package func load(_ source: some ManifestSource, changing previous: Result, changes: ChangedFiles) -> Result? {
        guard var basis = previous.basis, !changes.paths.contains(IgnoreRules.fileName),
              previous.manifests.classified == classified else { return nil }
        var removed: [LoadedManifest] = []
        var touched: Set<ObjectReference> = []
        var fileCount = previous.fileCount
        var toParse: [String] = []
        for path in changes.paths.sorted() {
            if let old = basis.files.removeValue(forKey: path) {
                removed += old.manifests
                touched.formUnion(old.undecoded)
                if old.wasRead { fileCount -= 1 }
            }
            if Self.isManifestPath(path, rules: basis.rules), source.status(of: path) == .file, source.contentID(path) != nil { toParse.append(path) }
        }
        let names = toParse.map(source.displayPath)
        let contents = toParse.map { Self.read($0, from: source, limits: limits) }
        let parser = YAMLParser(limits: limits)
        let parsed = Self.inParallel(toParse.count) { index in FileResult(file: names[index], bytes: contents[index], parser: parser) }
        var added: [LoadedManifest] = []
        for (path, result) in zip(toParse, parsed) {
            basis.files[path] = result
            added += result.manifests
            touched.formUnion(result.undecoded)
            if result.wasRead { fileCount += 1 }
        }
        basis.paths = Self.updated(basis.paths, removing: changes.paths, adding: toParse, files: basis.files)
        for loaded in removed + added { touched.formUnion(ObjectReference.names(of: loaded)) }

        let removedIDs = Set(removed.map(ObjectIdentifier.init))
        let kept = previous.manifests.all.filter { !removedIDs.contains(ObjectIdentifier($0)) }
        let addedIDs = Set(added.map(ObjectIdentifier.init))
        let changedPaths = Set(changes.paths.map { Self.lexical($0) })
        let previousReferences = basis.references
        return Self.assemble(basis, source: source, fileCount: fileCount, classified: classified, sorted: ManifestSet.merge(kept, added)) { set, loaded in
            let id = ObjectIdentifier(loaded)
            if addedIDs.contains(id) || previousReferences[id] != nil { return nil }
            if set.references(of: loaded).contains(where: touched.contains) { return nil }
            let checked = set.checkedPaths(of: loaded)
            if !checked.isEmpty, !changes.contentOnly || checked.contains(where: { changedPaths.contains(Self.lexical($0)) }) { return nil }
            return []
        }
    }

    /// A load's result from its files: the set, its indexes and every check across files.
    ///
    /// - Parameters:
    ///   - sorted: the manifests already in set order, when known.
    ///   - reuse: a manifest's reference problems known from an earlier load, or nil when
    ///     they must be checked.
    static func assemble<Source: ManifestSource>(
        _ basis: LoadBasis, source: Source, fileCount: Int, classified: ClassifiedLevels, sorted: [LoadedManifest]? = nil,
        reuse: ((ManifestSet, LoadedManifest) -> [Diagnostic]?)? = nil
    ) -> Result {
        var basis = basis
        var manifests: [LoadedManifest] = []
        var undecoded: Set<ObjectReference> = []
        var diagnostics = basis.listing
        for path in basis.paths {
            guard let result = basis.files[path] else { continue }
            manifests += result.manifests
            diagnostics += result.diagnostics
            undecoded.formUnion(result.undecoded)
        }
        var set = ManifestSet(manifests, undecoded: undecoded, classified: classified)
        diagnostics += ManifestSet.duplicateNames(manifests)
        basis.references = [:]
        for (loaded, found) in zip(manifests, referenceDiagnostics(set, manifests, source: source, reuse: reuse)) where !found.isEmpty {
            basis.references[ObjectIdentifier(loaded)] = found
            diagnostics += found
        }
        if let sorted { set.replaceAll(sorted) } else { set.sort() }
        return Result(manifests: set, diagnostics: diagnostics.sorted(), fileCount: fileCount, basis: basis)
    }

    /// Each manifest's reference problems, in `manifests`' order: checked on every core when
    /// all must be checked and the source may be read from several threads (a directory:
    /// `validate`), one after the other otherwise.
    private static func referenceDiagnostics(
        _ set: ManifestSet, _ manifests: [LoadedManifest], source: some ManifestSource,
        reuse: ((ManifestSet, LoadedManifest) -> [Diagnostic]?)?
    ) -> [[Diagnostic]] {
        if reuse == nil, let concurrent = source as? any ConcurrentManifestSource {
            return referenceDiagnosticsInParallel(set, manifests, source: concurrent)
        }
        let paths = PathFacts(source)
        return manifests.map { reuse?(set, $0) ?? set.referenceDiagnostics(of: $0, paths: paths) }
    }

    private static func referenceDiagnosticsInParallel(
        _ set: ManifestSet, _ manifests: [LoadedManifest], source: some ConcurrentManifestSource
    ) -> [[Diagnostic]] {
        let paths = PathFacts(source)
        return inParallel(manifests.count, empty: []) { index in set.referenceDiagnostics(of: manifests[index], paths: paths) }
    }

    /// The sorted manifest paths after a change: edited in place for a few changes, sorted
    /// again for many.
    private static func updated(_ paths: [String], removing: Set<String>, adding: [String], files: [String: FileResult]) -> [String] {
        guard removing.count <= 64 else { return files.keys.sorted() }
        var paths = paths
        for path in removing {
            let index = paths.partitioningIndex { $0 >= path }
            if index < paths.endIndex, paths[index] == path { paths.remove(at: index) }
        }
        for path in adding {
            paths.insert(path, at: paths.partitioningIndex { $0 >= path })
        }
        return paths
    }

    /// A path as a tree without symlinks resolves it: `.` and empty components dropped.
    private static func lexical(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}

extension RandomAccessCollection {
    /// The first index whose element satisfies `belongs`, in a collection partitioned by it
    /// (false first, then true): a binary search.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = index(low, offsetBy: distance(from: low, to: high) / 2)
            if belongs(self[middle]) { high = middle } else { low = index(after: middle) }
        }
        return low
    }
}
