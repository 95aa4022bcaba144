import Foundation

/// What a finished child process left behind.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to completion, capturing its output (tests only: no timeout handling
/// beyond what the program does itself). The wait happens on a Dispatch thread, never on
/// the cooperative pool: a test that waits minutes for a child must not stall the other
/// suites' tasks (on two cores the pool has two threads).
public func runProcess(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil) async throws -> ProcessOutput {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runProcessBlocking(executable, arguments, in: directory, environment: environment) })
        }
    }
}

/// `runProcess`, blocking the calling thread: only for programs that end in milliseconds
/// (`git` in a fixture), called from code that cannot await.
public func runProcessBlocking(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting, so a large output cannot block the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var errorData: Result<Data, FixtureError> = .success(Data())
    group.enter()
    DispatchQueue.global().async {
        errorData = readToEnd(stderr.fileHandleForReading.fileDescriptor, of: executable)
        group.leave()
    }
    let outputData = readToEnd(stdout.fileHandleForReading.fileDescriptor, of: executable)
    group.wait()
    process.waitUntilExit()
    return ProcessOutput(
        status: process.terminationStatus,
        stdout: String(decoding: try outputData.get(), as: UTF8.self),
        stderr: String(decoding: try errorData.get(), as: UTF8.self))
}

/// Everything a pipe gives until its end. Unlike `FileHandle.readDataToEndOfFile` (which
/// traps on any error), a read interrupted by a signal is tried again and any other
/// failure is an error naming the program.
private func readToEnd(_ descriptor: Int32, of executable: String) -> Result<Data, FixtureError> {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            data.append(contentsOf: buffer[0..<count])
        } else if count == 0 {
            return .success(data)
        } else if errno != EINTR {
            return .failure(FixtureError("reading the output of \(executable): \(String(cString: strerror(errno)))"))
        }
    }
}

/// The package's root folder, found from this file's location.
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The built `sextant` executable beside the test bundle (SEXTANT_BINARY overrides).
public let sextantBinary: String = {
    if let override = ProcessInfo.processInfo.environment["SEXTANT_BINARY"] { return override }
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    for candidate in ["\(bundleDirectory)/sextant", "\(Bundle.main.bundlePath)/sextant", "\(packageRoot)/.build/debug/sextant"]
    where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    return "\(packageRoot)/.build/debug/sextant"
}()

/// Runs the built `sextant` with arguments, in a directory.
public func sextant(_ arguments: String..., in directory: String? = nil) async throws -> ProcessOutput {
    try await runProcess(sextantBinary, arguments, in: directory, environment: ["PATH": "/usr/bin:/bin"])
}
