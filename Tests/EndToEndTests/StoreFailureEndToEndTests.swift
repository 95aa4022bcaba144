import Foundation
import NIOHTTP1
import Testing
import SextantCore
import SextantTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted over a directory, which the test can fill and free: a disk that
/// runs full on demand.
struct SmallFileSystem {
    let path: String

    init(at path: String, size: String) throws {
        let mounted = try runProcessBlocking("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "sextant-test", path])
        guard mounted.status == 0 else { throw FixtureError("mount -t tmpfs on \(path): \(mounted.stderr)") }
        self.path = path
    }

    /// Writes zeros until no byte is left.
    func fill() async throws {
        _ = try await runProcess("/bin/dd", ["if=/dev/zero", "of=\(path)/filler", "bs=64k"])  // ends with ENOSPC, as meant
    }

    func free() throws {
        try FileManager.default.removeItem(atPath: path + "/filler")
    }

    /// Lazily: it works even while a process still has a file open there.
    func unmount() {
        _ = try? runProcessBlocking("/bin/umount", ["-l", path])
    }

    /// Whether this process may mount a tmpfs (root, in a kernel and container that allow it).
    static let isAvailable: Bool = {
        guard geteuid() == 0, let probe = try? TemporaryDirectory("sextant-tmpfs-probe"),
              let mounted = try? SmallFileSystem(at: probe.path, size: "1m") else { return false }
        mounted.unmount()
        return true
    }()
}

/// `sextant run` with its state directory on a disk that fills up, then has room again.
@Suite(.serialized) struct StoreFailureEndToEndTests {
    @Test("with the state directory on a full disk, /readyz answers 503 naming the store and status says why; freeing space recovers with no lost event",
          .enabled(if: SmallFileSystem.isAvailable, "needs root and permission to mount a tmpfs: the state directory goes on a small file system that the test fills"))
    func fullDisk() async throws {
        let fixture = try DaemonEndToEndTests.Fixture()
        let disk = try SmallFileSystem(at: fixture.state.path, size: "16m")
        defer {
            // Whatever happened: nothing keeps running on the file system, and it goes.
            if fixture.daemon?.isRunning == true, let pid = fixture.daemon?.pid { kill(pid, SIGKILL) }
            disk.unmount()
        }
        try await fixture.startGitDaemon()
        try await fixture.startSextant()
        let log = { fixture.daemon?.log ?? "" }

        // The disk fills while the remote is down: the FetchFailed event cannot be written.
        try await disk.fill()
        await fixture.stopGitDaemon()
        #expect(try await fixture.post("/api/v1/hooks/git") == .accepted)
        let unready = try await eventually(timeout: .seconds(60)) { (try? await fixture.get("/readyz").status) == .serviceUnavailable }
        try #require(unready, "/readyz stayed ready: \(log())")
        let readyz = try await fixture.get("/readyz").body
        #expect(readyz.hasPrefix("store unavailable: "), "\(readyz)")
        #expect(readyz.contains("failed since "), "\(readyz)")
        #expect(readyz.contains("\(fixture.state.path)/state.sqlite: database or disk is full (SQLite error 13)"), "\(readyz)")
        #expect(readyz.contains("free space on the file system that holds \(fixture.state.path)"), "\(readyz)")
        #expect(try await fixture.get("/healthz").status == .ok)

        // Status from the daemon says why it is not current.
        let table = try await runProcess(sextantBinary, ["status", "--server", fixture.api])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("\nerror: store unavailable: "), "\(table.stdout)")
        let json = try await runProcess(sextantBinary, ["status", "--server", fixture.api, "-o", "json"])
        let document = try StatusDocument.jsonDecoder().decode(StatusDocument.self, from: Data(json.stdout.utf8))
        #expect(document.revision.error?.contains("database or disk is full") == true)
        #expect(!document.objects.isEmpty)
        #expect(document.objects.allSatisfy { $0.conditions.first?.type == "StoreUnavailable" })
        // Read from the database, status cannot know the daemon's failure: it says what the disk shows.
        let local = try await runProcess(sextantBinary, ["status", "--state-dir", fixture.state.path])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stderr.contains("warning: the file system that holds \(fixture.state.path) is full"), "\(local.stderr)")

        let failing = try await fixture.get("/metrics").body
        #expect(failing.contains("\nsextant_store_available 0.0\n"))
        #expect(Self.value(of: "sextant_store_write_failures_total", in: failing).map { $0 >= 1 } == true)
        #expect(Self.value(of: "sextant_store_pending_writes", in: failing).map { $0 >= 2 } == true, "FetchFailed and StoreUnavailable wait in memory")
        #expect(try await !fixture.events().contains { $0.reason == .fetchFailed }, "not written yet")

        // Room again, and the remote is back with a new commit.
        try disk.free()
        try await fixture.startGitDaemon()
        let next = try fixture.repository.commit("after the outage", files: ["README.md": "back\n"])
        #expect(try await fixture.post("/api/v1/hooks/git") == .accepted)
        let recovered = try await eventually(timeout: .seconds(60)) { (try? await fixture.get("/readyz").status) == .ok }
        try #require(recovered, "/readyz did not recover: \(log())")
        #expect(try await fixture.waitForHead(next, timeout: .seconds(30)))
        let status = try await fixture.status()
        #expect(status.revision.error == nil)
        #expect(status.revision.appliedCommit == next)
        #expect(!status.objects.contains { $0.conditions.contains { $0.type == "StoreUnavailable" } })

        // Every event of the outage was written, in the order things happened.
        let events = try await fixture.events()
        let outage = events.map(\.reason).filter { [.fetchFailed, .storeUnavailable, .fetchRecovered, .storeRecovered].contains($0) }
        // The two recoveries race (the next write and the webhook's fetch): either may come first.
        #expect(outage.count == 4 && Array(outage.prefix(2)) == [.fetchFailed, .storeUnavailable]
                && Set(outage.suffix(2)) == [.fetchRecovered, .storeRecovered], "\(events.map(\.reason))")
        let unavailable = try #require(events.first { $0.reason == .storeUnavailable })
        #expect(unavailable.kind == .store)
        #expect(unavailable.message.contains("database or disk is full"))
        #expect(events.map(\.time) == events.map(\.time).sorted(), "times in order of ids")

        let healthy = try await fixture.get("/metrics").body
        #expect(healthy.contains("\nsextant_store_available 1.0\n"))
        #expect(healthy.contains("\nsextant_store_pending_writes 0.0\n"))
        #expect(await fixture.daemon?.stop(SIGTERM) == 0)
    }

    /// The value of an unlabelled sample in a Prometheus exposition.
    static func value(of name: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }
}
