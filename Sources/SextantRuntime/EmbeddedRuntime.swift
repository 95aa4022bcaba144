#if canImport(Glibc)
import Glibc
#endif
package import Foundation
package import Logging
package import SextantCore
import SextantAPI
import SextantML

/// Reads the blobs of the followed repository (content-addressed data files).
package protocol BlobReader: Sendable {
    func readBlob(_ id: String) async throws(SourceFailure) -> [UInt8]
}

/// The runtime that runs everything on this machine (DESIGN §5 "Embedded runtime"): data
/// checks, training (built-in in-process, external as processes), evaluation through the
/// serving path, packaging, and the supervisor of detached model servers.
package struct EmbeddedRuntime: Runtime {
    let blobs: any BlobReader
    /// `--data-root` directories with symlinks resolved.
    private let dataRoots: [String]
    /// Where models, runs, servers' logs and artifacts live (nil: data checks only).
    let stateDirectory: String?
    /// This program, which serves built-in models (`sextant serve-model`).
    let executable: String
    let processes: ProcessTable
    /// What every wait (readiness, a trainer's timeout, stop grace periods) is on.
    let clock: any WallClock
    /// How long a server may take to answer `/v2/health/ready`.
    let readinessTimeout: Duration
    /// How long a stopped server may take to exit before SIGKILL.
    let stopGrace: Duration
    /// Rows per inference request in evaluation.
    let evaluationBatch: Int
    /// Set when the daemon is root: who runs the repository's code, and where.
    let sandbox: Sandbox?
    /// `--max-request-bytes` of the gateway and the built-in model servers it starts (nil: their default).
    let maxRequestBytes: Int?
    let logger: Logger
    /// Where external trainers run instead of local processes (the Ray runtime's Ray Jobs).
    private(set) var trainerHost: (any TrainerHost)?
    /// Where evaluation's private servers run instead of local processes (the Ray runtime's Serve applications).
    private(set) var privateServing: (any PrivateServing)?

    /// Where the repository's code runs (training runs, serving commands' directories):
    /// the sandbox's work directory, or the state directory.
    var workDirectory: String? { sandbox?.workDirectory ?? stateDirectory }

    package init(blobs: any BlobReader, dataRoots: [String] = [], stateDirectory: String? = nil, executable: String = CommandLine.arguments[0],
                readinessTimeout: Duration = .seconds(60), stopGrace: Duration = .seconds(10), evaluationBatch: Int = 1000,
                sandbox: Sandbox? = nil, maxRequestBytes: Int? = nil, clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "sextant.runtime")) {
        self.blobs = blobs
        self.dataRoots = dataRoots.map { Self.realPath($0) ?? $0 }
        self.stateDirectory = stateDirectory
        self.executable = Self.realPath(executable) ?? executable
        self.processes = ProcessTable(stateDirectory: stateDirectory ?? FileManager.default.temporaryDirectory.path, clock: clock)
        self.clock = clock
        self.readinessTimeout = readinessTimeout
        self.stopGrace = stopGrace
        self.evaluationBatch = max(1, evaluationBatch)
        self.sandbox = sandbox
        self.maxRequestBytes = maxRequestBytes
        self.logger = logger
    }

    /// This runtime with its external trainers and evaluation's servers elsewhere (DESIGN §12):
    /// everything else — data checks, built-in training, packaging, the gateway — stays here.
    package func hosting(trainers: any TrainerHost, privateServers: any PrivateServing) -> EmbeddedRuntime {
        var runtime = self
        runtime.trainerHost = trainers
        runtime.privateServing = privateServers
        return runtime
    }

    /// Why a local file may not be read: its real location (symlinks followed) is outside
    /// every data root.
    func confinementProblem(_ path: String) -> String? {
        guard let real = Self.realPath(path) else { return nil }  // missing: reported when read
        if dataRoots.contains(where: { real.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) { return nil }
        return "\(path) leads to \(real), outside every --data-root; data must live under one"
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A whole file, read straight into one array (no intermediate copy).
    static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { break }
            filled += count
        }
        // A file that shrank while being read is read as it now is.
        return filled == bytes.count ? bytes : Array(bytes.prefix(filled))
    }

    package func observeFiles(_ paths: [String]) async -> [String: DataFileObservation] {
        guard !paths.isEmpty else { return [:] }
        return await offPool {
            var observations: [String: DataFileObservation] = [:]
            for path in paths {
                if let problem = confinementProblem(path) {
                    observations[path] = .unreadable(problem)
                } else {
                    observations[path] = Self.hashFile(path)
                }
            }
            return observations
        }
    }

    package func checkDataset(_ check: DatasetCheck, at now: Date) async throws(ActionError) -> DatasetResult {
        let bytes: [UInt8]
        switch check.data {
        case .refused(let reason):
            return invalid(check, now: now, sha256: nil, "source: \(reason)")
        case .file(let path):
            if let escape = confinementProblem(path) {
                return invalid(check, now: now, sha256: nil, "source: \(escape)")
            }
            guard let data = Self.readFile(path) else {
                return invalid(check, now: now, sha256: nil, "source: cannot read \(path); check that it exists and is readable by sextant")
            }
            bytes = data
        case .commit(_, let blob):
            do throws(SourceFailure) {
                bytes = try await blobs.readBlob(blob)
            } catch {
                throw ActionError("cannot read \(check.data) from the repository: \(error.message)")
            }
        }
        return await offPool { DatasetChecker.check(check, bytes: bytes, now: now) }
    }

    private func invalid(_ check: DatasetCheck, now: Date, sha256: String?, _ violation: String) -> DatasetResult {
        DatasetResult(verdict: .dataInvalid, sha256: sha256, rows: nil, contract: check.contract, checks: 1,
                      violations: [violation], commit: check.commit, checkedAt: now)
    }

    /// SHA-256 of a file, read in 1 MiB pieces.
    static func hashFile(_ path: String) -> DataFileObservation {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .unreadable("cannot open \(path)")
        }
        defer { try? handle.close() }
        var hasher = StreamingSHA256()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { hasher.update($0) }
            }
        } catch {
            return .unreadable("cannot read \(path): \(error.localizedDescription)")
        }
        return .hashed(sha256: hasher.finalize())
    }
}
