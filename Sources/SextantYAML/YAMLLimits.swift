/// Bounds on what one YAML file may cost to read. Every bound refuses the file with a
/// clear error before memory or time grows with it: a billion-laughs document is refused
/// after at most `maxNodes` nodes' worth of work.
public struct YAMLLimits: Sendable, Hashable {
    /// The largest file read, in bytes. Default 4 MiB.
    package var maxFileBytes: Int
    /// The longest scalar, in bytes. Default 1 MiB.
    package var maxScalarBytes: Int
    /// The deepest nesting of mappings and sequences. Default 64.
    package var maxDepth: Int
    /// The most nodes in a file, counting each alias as the nodes it expands to. Default 200,000.
    package var maxNodes: Int
    /// The most documents in a file. Default 1,000.
    package var maxDocuments: Int

    package init(
        maxFileBytes: Int = 4 << 20,
        maxScalarBytes: Int = 1 << 20,
        maxDepth: Int = 64,
        maxNodes: Int = 200_000,
        maxDocuments: Int = 1_000
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxScalarBytes = maxScalarBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxDocuments = maxDocuments
    }

    /// The documented defaults.
    public static let `default` = YAMLLimits()

    /// Why a file of `size` bytes is not read, or nil when it may be.
    package func fileSizeProblem(_ size: Int) -> String? {
        size <= maxFileBytes ? nil
            : "file is \(size) bytes, more than the limit of \(maxFileBytes) bytes; split it or keep large data out of manifests"
    }
}
