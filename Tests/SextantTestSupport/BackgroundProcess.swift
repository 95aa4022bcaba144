public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A long-running child process (the daemon, `git daemon`) whose output goes to a file;
/// killed when released.
public final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    /// Standard output and error, interleaved.
    public let logPath: String

    public init(_ executable: String, _ arguments: [String], in directory: String? = nil, logPath: String,
                environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        // No waiting here: Foundation reaps the child on its own thread.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends a signal and waits (up to `timeout`) for the exit; returns the exit status,
    /// or nil if the process is still running.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async -> Int32? {
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now, never handed out twice in
/// this process. It comes from below the kernel's ephemeral range (32768–60999), so a server
/// that binds port 0 in a test running beside this one cannot be given it meanwhile.
public func freePort() throws -> Int {
    while true {
        let candidate = nextPort.add(1, ordering: .relaxed).newValue
        guard candidate < 32_768 else { throw FixtureError("no free port left below 32768") }
        guard let descriptor = try? boundSocket(port: candidate) else { continue }
        close(descriptor)
        return candidate
    }
}

/// Where `freePort()` goes on: each test process starts at its own offset.
private let nextPort = Atomic<Int>(20_000 + Int(getpid() % 500) * 16)

/// A port that refuses connections for as long as this value lives: bound, never
/// listening, so no other process can take it meanwhile (a `freePort()` could be taken by
/// a test running beside this one).
public final class RefusingPort: Sendable {
    private let descriptor: Int32
    public let port: Int

    public init() throws {
        descriptor = try boundSocket()
        port = SextantTestSupport.port(of: descriptor)
    }

    deinit { close(descriptor) }
}

/// A TCP socket bound to an ephemeral port of 127.0.0.1.
private func boundSocket(port: Int = 0) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw FixtureError("socket: \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        close(descriptor)
        throw FixtureError("bind: \(errno)")
    }
    return descriptor
}

private func port(of descriptor: Int32) -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Polls a condition for up to `timeout`.
public func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}
