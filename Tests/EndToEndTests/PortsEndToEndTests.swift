import Foundation
import Testing
import SextantCore
import SextantStore
import SextantTestSupport

/// Ports are checked before anything; a gateway that does not serve is never shown as
/// serving; errors name the flag, the address or the URL, and what to do.
@Suite(.serialized) struct PortsEndToEndTests {
    /// A listening socket on 127.0.0.1:port, held by this process (another program's port).
    final class HeldPort {
        let descriptor: Int32

        init?(_ port: Int) {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var on: Int32 = 1
            _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            // No close here: a class whose stored properties are all set runs its deinit
            // when its failable init returns nil, and a second close of the number could
            // close a socket another thread opened since (NIO traps on EBADF).
            guard bound == 0, listen(descriptor, 16) == 0 else { return nil }
        }

        deinit { close(descriptor) }
    }

    /// Whether something listens on 127.0.0.1:port (binding it fails).
    static func listening(_ port: Int) -> Bool { HeldPort(port) == nil }

    static func timed(_ arguments: [String]) async throws -> (ProcessOutput, Duration) {
        let started = ContinuousClock.now
        let output = try await runProcess(sextantBinary, arguments, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        return (output, ContinuousClock.now - started)
    }

    static func statusDocument(_ state: String) -> StatusDocument? { (try? SQLiteStore(readingFrom: state).status()) ?? nil }

    @Test("a taken --gateway port: reconcile --once and run exit 2 at once with one line naming it; nothing runs, nothing serves")
    func takenGateway() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        let held = try #require(HeldPort(rig.gatewayPort))
        let gateway = "127.0.0.1:\(rig.gatewayPort)"
        let expected = "error: --gateway \(gateway) is taken by another process; stop it or pass --gateway with a free port"
        for command in [["reconcile", "--once"], ["run", "--listen", "127.0.0.1:\(rig.apiPort)"]] {
            let (output, _) = try await Self.timed(command + ["--repo", rig.repository.path, "--state-dir", rig.state.path, "--gateway", gateway])
            #expect(output.status == 2, "\(command[0]): \(output.stderr)")
            #expect(output.stderr.trimmingCharacters(in: .newlines) == expected, "\(command[0]): \(output.stderr)")
            #expect(!Self.listening(rig.apiPort), "\(command[0]) left its API listening")
        }
        #expect(Self.statusDocument(rig.state.path) == nil, "no pass ran, so status never said Serving")
        #expect(rig.gateway() == nil, "no gateway was started")
        #expect(try await sextant("down", "--state-dir", rig.state.path).stdout.contains("nothing was running"))
        withExtendedLifetime(held) {}
    }

    @Test("a taken --listen port: run exits 2 at once with one line naming it, before it starts a gateway or a server")
    func takenListen() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        let held = try #require(HeldPort(rig.apiPort))
        let (output, _) = try await Self.timed(["run", "--repo", rig.repository.path, "--state-dir", rig.state.path,
                                          "--listen", "127.0.0.1:\(rig.apiPort)", "--gateway", "127.0.0.1:\(rig.gatewayPort)"])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.trimmingCharacters(in: .newlines)
            == "error: --listen 127.0.0.1:\(rig.apiPort) is taken by another process; stop it or pass --listen with a free port", "\(output.stderr)")
        #expect(!Self.listening(rig.gatewayPort), "a gateway was started")
        #expect(Self.statusDocument(rig.state.path) == nil)
        #expect(try await sextant("down", "--state-dir", rig.state.path).stdout.contains("nothing was running"))
        withExtendedLifetime(held) {}
    }

    @Test("the gateway this state directory runs holds its port legitimately: a second reconcile --once adopts it; mistyped model names get a suggestion")
    func ownGatewayIsNotTaken() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        let flags = ["--repo", rig.repository.path, "--state-dir", rig.state.path, "--gateway", "127.0.0.1:\(rig.gatewayPort)", "--readiness-timeout", "20"]
        let first = try await runProcess(sextantBinary, ["reconcile", "--once"] + flags)
        #expect(first.status == 0, "\(first.stderr.suffix(2000))")
        #expect(rig.status()?.phase == .serving)
        #expect(Self.statusDocument(rig.state.path)?.gateway == GatewayStatus(address: "127.0.0.1:\(rig.gatewayPort)", serving: true))
        let pid = try #require(rig.gateway()?.pid)
        let again = try await runProcess(sextantBinary, ["reconcile", "--once"] + flags)
        #expect(again.status == 0, "\(again.stderr.suffix(2000))")
        #expect(rig.gateway()?.pid == pid, "the running gateway was adopted, not replaced")

        for command in ["promote", "abort", "retry", "history"] {
            let output = try await sextant(command, "fraud-detectr", "--state-dir", rig.state.path)
            #expect(output.status == 2)
            #expect(output.stderr.contains("no model fraud-detectr") && output.stderr.contains("did you mean \"fraud-detector\"?"), "\(command): \(output.stderr)")
        }

        // No daemon watches after reconcile --once: status itself notices the gateway is gone.
        #expect(kill(pid, SIGKILL) == 0)
        try await waitUntilExited(pid)
        let table = try await sextant("status", "--state-dir", rig.state.path)
        #expect(table.status == 1, "Degraded: exit 1")
        #expect(table.stdout.contains("gateway 127.0.0.1:\(rig.gatewayPort) down: its process (pid \(pid)) has exited since the last pass"), "\(table.stdout)")
        let json = try await sextant("status", "fraud-detector", "-o", "json", "--state-dir", rig.state.path)
        let document = try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(json.stdout.utf8))
        #expect(document.gateway?.serving == false)
        #expect(document.objects.first?.phase == .unavailable && document.objects.first?.health == .degraded)
    }

    /// Waits (up to 5 s) until `pid` no longer exists.
    func waitUntilExited(_ pid: Int32) async throws {
        try #require(try await eventually(timeout: .seconds(5)) { kill(pid, 0) != 0 }, "pid \(pid) still runs")
    }

    @Test("a gateway killed while the port is taken by another process: status says the model is not served until the gateway is back")
    func gatewayDiesAndCannotReturn() async throws {
        let rig = try RolloutEndToEndTests.Rig(steps: "[{setWeight: 50}]", analysis: "{interval: 1s, minSamples: 20}")
        try rig.startDaemon(interval: "1h")
        try await rig.waitFor("r1 to serve") { rig.status()?.phase == .serving }
        let gateway = try #require(rig.gateway())
        #expect(kill(gateway.pid, SIGKILL) == 0)
        // Take the port the moment it is free, before the watchdog restarts the gateway.
        var held: HeldPort?
        let deadline = ContinuousClock.now + .seconds(5)
        while held == nil && ContinuousClock.now < deadline { held = HeldPort(rig.gatewayPort) }
        try #require(held != nil, "the port never came free")
        try await rig.waitFor("status to show the gateway down", timeout: .seconds(30)) {
            Self.statusDocument(rig.state.path)?.gateway?.serving == false && rig.status()?.phase == .unavailable
        }
        let down = try #require(rig.status())
        #expect(down.health == .degraded)
        let condition = try #require(down.conditions.first { $0.type == "GatewayReady" })
        #expect(condition.status == "False" && condition.reason == "GatewayUnavailable")
        #expect(condition.message.contains("127.0.0.1:\(rig.gatewayPort)") && condition.message.contains("taken by another process"), "\(condition.message)")
        let table = try await sextant("status", "--state-dir", rig.state.path)
        #expect(table.status == 1, "Degraded: exit 1")
        #expect(table.stdout.contains("gateway 127.0.0.1:\(rig.gatewayPort) down"), "\(table.stdout)")

        held = nil
        try await rig.waitFor("the gateway back and the model Serving", timeout: .seconds(30)) {
            Self.statusDocument(rig.state.path)?.gateway?.serving == true && rig.status()?.phase == .serving
        }
        #expect(rig.status()?.conditions.contains { $0.type == "GatewayReady" } == false)
        _ = await rig.daemon?.stop()
    }

    @Test("errors name the URL, the path or the directory, and what to check; nothing is created")
    func clearErrors() async throws {
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = refusing.port
        let (daemon, took) = try await Self.timed(["status", "--server", "http://127.0.0.1:\(closed)"])
        #expect(daemon.status == 2)
        #expect(took < .seconds(5), "a refused connection is not retried for ten seconds: \(took)")
        #expect(daemon.stderr == "error: cannot reach the daemon at http://127.0.0.1:\(closed) (connection refused): is \"sextant run\" running with --listen 127.0.0.1:\(closed)?\n")
        let promote = try await sextant("promote", "m", "--server", "http://127.0.0.1:\(closed)/")
        #expect(promote.stderr == daemon.stderr, "the same line for every daemon command")

        let scratch = try TemporaryDirectory("sextant-errors")
        let rows = scratch.path + "/rows.csv"
        try "amount,hour\n1,2\n".write(toFile: rows, atomically: true, encoding: .utf8)
        let predict = try await sextant("predict", "m", "--csv", rows, "--gateway", "http://127.0.0.1:\(closed)")
        #expect(predict.status == 2)
        #expect(predict.stderr.hasPrefix("error: cannot reach the gateway at http://127.0.0.1:\(closed) (connection refused): is the data plane up"), "\(predict.stderr)")
        #expect(!predict.stderr.contains("errno"))

        let missing = try await sextant("reconcile", "--once", "--repo", scratch.path + "/no/such", "--state-dir", scratch.path + "/state")
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: --repo \(scratch.path)/no/such: no such directory\n", "\(missing.stderr)")
        let plain = try await sextant("reconcile", "--once", "--repo", scratch.path, "--state-dir", scratch.path + "/state")
        #expect(plain.stderr.hasPrefix("error: --repo \(scratch.path): not a Git repository"), "\(plain.stderr)")

        for command in [["down"], ["status"], ["history", "m"]] {
            let output = try await runProcess(sextantBinary, command + ["--state-dir", scratch.path + "/nope"])
            #expect(output.status == 2, "\(command)")
            #expect(output.stderr.contains("--state-dir \(scratch.path)/nope: no such state directory"), "\(command): \(output.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/nope"), "a mistyped state directory is never created")
    }
}
