public import SextantYAML
import Dispatch
import Synchronization

/// Loads every manifest of a watched root and validates the set: syntax, fields, names,
/// references and paths. Reports every problem found, each with its file, line and column.
public struct ManifestLoader: Sendable {
    package var limits: YAMLLimits
    /// The contract classifications that make a column private (`--classified`).
    public var classified: ClassifiedLevels

    public init(limits: YAMLLimits = .default, classified: ClassifiedLevels = .default) {
        self.limits = limits
        self.classified = classified
    }

    /// What loading found: the manifests that decoded, and every problem.
    public struct Result: Sendable {
        public var manifests: ManifestSet
        public var diagnostics: [Diagnostic]
        /// How many manifest files were read.
        package var fileCount: Int
        /// What the next load of a changed tree starts from.
        package var basis: LoadBasis?

        public var isValid: Bool { diagnostics.isEmpty }

        package init(manifests: ManifestSet, diagnostics: [Diagnostic], fileCount: Int, basis: LoadBasis? = nil) {
            self.manifests = manifests
            self.diagnostics = diagnostics
            self.fileCount = fileCount
            self.basis = basis
        }
    }

    /// Loads and validates the manifests of `source`.
    ///
    /// - Throws: `SourceError` only when the source cannot be listed at all; problems with
    ///   single files are diagnostics.
    ///
    /// - Parameter cache: files parsed by an earlier load, reused when the source names
    ///   the same content (a Git blob id): a commit that changes one file of ten thousand
    ///   parses one file.
    public func load(_ source: some ManifestSource, cache: ParseCache? = nil) throws(SourceError) -> Result {
        var listing: [Diagnostic] = []
        let (paths, rules) = try manifestPaths(source, diagnostics: &listing)

        let parser = YAMLParser(limits: limits)
        var perFile: [FileResult]
        if let concurrent = source as? any ConcurrentManifestSource {
            perFile = Self.inParallel(paths.count) { index in
                FileResult(path: paths[index], bytes: Self.read(paths[index], from: concurrent, limits: parser.limits), source: concurrent, parser: parser)
            }
        } else {
            let names = paths.map(source.displayPath)
            let keys = paths.indices.map { index in source.contentID(paths[index]).map { ParseCache.Key(file: names[index], content: $0) } }
            let cached = cache?.results(for: keys) ?? Array(repeating: nil, count: paths.count)
            let missing = paths.indices.filter { cached[$0] == nil }
            let contents = missing.map { Self.read(paths[$0], from: source, limits: limits) }
            let parsed = Self.inParallel(missing.count) { index in
                FileResult(file: names[missing[index]], bytes: contents[index], parser: parser)
            }
            perFile = cached.map { $0 ?? FileResult() }
            for (position, index) in missing.enumerated() { perFile[index] = parsed[position] }
            cache?.replace(keys: keys, results: perFile)
        }
        let basis = LoadBasis(paths: paths, files: Dictionary(uniqueKeysWithValues: zip(paths, perFile)), rules: rules, listing: listing)
        return Self.assemble(basis, source: source, fileCount: perFile.filter(\.wasRead).count, classified: classified)
    }

    /// The `.yaml`/`.yml` files of the root, minus dot-directories and `.sextantignore`
    /// paths, with the ignore rules.
    private func manifestPaths(_ source: some ManifestSource, diagnostics: inout [Diagnostic]) throws(SourceError) -> (paths: [String], rules: IgnoreRules) {
        let files = try source.listFiles()
        var rules = IgnoreRules("")
        if files.contains(where: { $0.path == IgnoreRules.fileName }) {
            do throws(SourceError) {
                rules = IgnoreRules(String(decoding: try source.read(IgnoreRules.fileName), as: UTF8.self))
            } catch {
                diagnostics.append(Diagnostic(file: source.displayPath(IgnoreRules.fileName), mark: .start, message: error.message))
            }
        }
        var paths: [String] = []
        for file in files {
            guard Self.isManifestPath(file.path, rules: rules) else { continue }
            if file.isSymlink {
                switch source.status(of: file.path) {
                case .file: break
                case .escapesRoot:
                    diagnostics.append(Diagnostic(file: source.displayPath(file.path), mark: .start,
                                                  message: "symlink leads outside the watched root; manifests must live inside it"))
                    continue
                case .directory, .missing:
                    continue
                }
            }
            paths.append(file.path)
        }
        return (paths.sorted(), rules)
    }

    /// Whether a file is read as manifests: `.yaml`/`.yml`, not hidden, not ignored.
    static func isManifestPath(_ path: String, rules: IgnoreRules) -> Bool {
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else { return false }
        // Hidden files and folders (.github/, .pre-commit-config.yaml) belong to other tools.
        return !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) && !rules.ignores(path)
    }

    /// A file's bytes, measured first: one over the size limit is refused unread, and no
    /// more than one byte past the limit is ever read (a file may grow meanwhile).
    static func read(_ path: String, from source: some ManifestSource, limits: YAMLLimits) -> Swift.Result<[UInt8], SourceError> {
        if let directory = source as? DirectorySource {
            return Swift.Result { () throws(SourceError) -> [UInt8] in try directory.readManifest(path, limits: limits) }
        }
        if let size = source.byteCount(path), let problem = limits.fileSizeProblem(size) {
            return .failure(SourceError(problem))
        }
        return Swift.Result { () throws(SourceError) -> [UInt8] in try source.readPrefix(path, count: min(limits.maxFileBytes, Int.max - 1) + 1) }
    }

    /// Runs `work` for every index on every core: files (and manifests' checks) are
    /// independent, and a repository holds many small ones, so they go in chunks.
    static func inParallel(_ count: Int, _ work: @Sendable (Int) -> FileResult) -> [FileResult] {
        inParallel(count, empty: FileResult(), work)
    }

    static func inParallel<Output: Sendable>(_ count: Int, empty: Output, _ work: @Sendable (Int) -> Output) -> [Output] {
        var results = [Output](repeating: empty, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            let chunk = 64
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { index in
                for position in (index * chunk)..<min(count, (index + 1) * chunk) {
                    output[position] = work(position)
                }
            }
        }
        return results
    }
}

/// The manifests and problems of one file.
struct FileResult: Sendable {
    var manifests: [LoadedManifest] = []
    var diagnostics: [Diagnostic] = []
    /// Objects whose documents name them but failed to decode: already reported, so
    /// references to them are not reported again as dangling.
    var undecoded: [ObjectReference] = []

    /// False when the file could not be read.
    var wasRead = false

    init() {}

    init(path: String, bytes: Swift.Result<[UInt8], SourceError>, source: some ManifestSource, parser: YAMLParser) {
        self.init(file: source.displayPath(path), bytes: bytes, parser: parser)
    }

    init(file: String, bytes: Swift.Result<[UInt8], SourceError>, parser: YAMLParser) {
        switch bytes {
        case .success(let bytes):
            wasRead = true
            parse(bytes, file: file, parser: parser)
        case .failure(let error):
            diagnostics.append(Diagnostic(file: file, mark: .start, message: error.message))
        }
    }

    private mutating func parse(_ bytes: [UInt8], file: String, parser: YAMLParser) {
        let arena: YAMLArena
        do throws(YAMLError) {
            arena = try parser.arena(bytes, file: file)
        } catch {
            diagnostics.append(Diagnostic(file: file, mark: error.mark, message: error.message))
            return
        }
        let documents = arena.roots.enumerated().filter { !arena.isEmptyDocument($0.element) }
        guard !documents.isEmpty else {
            diagnostics.append(Diagnostic(file: file, mark: .start, message: "file holds no manifest; add one or delete the file"))
            return
        }
        for (index, root) in documents {
            let text = ManifestText(bytes: bytes, file: file, index: index, limits: parser.limits)
            let decoded = ManifestDecoder.decode(root, of: arena, text: text)
            if let manifest = decoded.manifest {
                manifests.append(manifest)
            } else {
                undecoded += ObjectReference.named(by: arena.node(root))
            }
            diagnostics += decoded.diagnostics
        }
    }
}

/// Parsed files by content, kept between loads of successive commits.
public final class ParseCache: Sendable {
    struct Key: Hashable, Sendable {
        var file: String
        var content: String
    }

    private let entries = Mutex<[Key: FileResult]>([:])

    package init() {}

    /// The files of an earlier load of `source`'s root, named by their content in `source`
    /// (the tree that load read).
    package convenience init(_ result: ManifestLoader.Result, source: some ManifestSource) {
        self.init()
        var entries: [Key: FileResult] = [:]
        for (path, file) in result.basis?.files ?? [:] where file.wasRead {
            guard let content = source.contentID(path) else { continue }
            entries[Key(file: source.displayPath(path), content: content)] = file
        }
        self.entries.withLock { $0 = entries }
    }

    func results(for keys: [Key?]) -> [FileResult?] {
        entries.withLock { entries in keys.map { $0.flatMap { entries[$0] } } }
    }

    /// Keeps exactly the files of the latest load, so the cache never outgrows one commit.
    func replace(keys: [Key?], results: [FileResult]) {
        var next: [Key: FileResult] = [:]
        for (key, result) in zip(keys, results) where key != nil && result.wasRead {
            next[key!] = result
        }
        entries.withLock { $0 = next }
    }
}
