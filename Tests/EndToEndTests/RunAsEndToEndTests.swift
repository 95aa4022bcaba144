import Foundation
import Testing
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// A daemon running as root runs the repository's code as another user (`--run-as`,
/// default `nobody`), which can read neither the store nor the gateway's token.
@Suite(.serialized) struct RunAsEndToEndTests {
    static let canSwitchUsers = getuid() == 0 && getpwnam("nobody") != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// A trainer committed to the repository that looks around before it trains: what it
    /// runs as, and what it can read of the daemon's.
    static func probingTrainer(state: String) -> String {
        """
        import json, os, runpy, sys
        probes = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups()}
        for name, path in [("token", "\(state)/gateway.token"), ("database", "\(state)/state.sqlite"), ("lock", "\(state)/lock"),
                           ("shadow", "/etc/shadow"), ("daemonEnvironment", "/proc/%d/environ" % os.getppid())]:
            try:
                open(path, "rb").read(1)
                probes[name] = "read"
            except OSError as error:
                probes[name] = type(error).__name__
        try:
            open("\(state)/intruder", "w").write("x")
            probes["writeState"] = "wrote"
        except OSError as error:
            probes["writeState"] = type(error).__name__
        runpy.run_path("trainer/real_train.py", run_name="__main__")
        with open(os.path.join(os.environ["SEXTANT_OUTPUT_DIR"], "probe.json"), "w") as out:
            json.dump(probes, out)
        """
    }

    @Test("as root, the committed trainer and the serving command run as nobody and cannot read the token, the database or the daemon's environment; the daemon still trains and serves",
          .enabled(if: canSwitchUsers, "needs root, a nobody user, /usr/bin/setpriv and /usr/bin/python3"))
    func trainerRunsAsNobody() async throws {
        let repository = try GitFixture()
        let state = try TemporaryDirectory("sextant-state")
        // An existing state directory with too open a mode is made private.
        #expect(chmod(state.path, 0o755) == 0)
        defer { _ = try? runProcessBlocking(sextantBinary, ["down", "--state-dir", state.path]) }
        var files = try ModelLifecycleEndToEndTests.Setup.files(of: "python-trainer")
        files["trainer/real_train.py"] = files["trainer/train.py"]
        files["trainer/train.py"] = Self.probingTrainer(state: state.path)
        try repository.commit("a trainer that looks around", files: files)

        let work = try TemporaryDirectory("sextant-work")
        let reconciled = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", repository.path, "--state-dir", state.path, "--work-dir", work.path, "-o", "json",
                                                        "--readiness-timeout", "20", "--gateway", "127.0.0.1:\(try freePort())"],
                                        environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(reconciled.status == 0, "\(reconciled.stdout)\(reconciled.stderr)")
        let document = try JSONDecoder.status.decode(StatusDocument.self, from: Data(reconciled.stdout.utf8))
        let model = try #require(document.objects.first { $0.kind == .model })
        #expect(model.phase == .serving, "\(model.message)")

        let nobody = try #require(getpwnam("nobody")).pointee.pw_uid
        let version = try #require(try SQLiteStore(readingFrom: state.path).registries()["churn-predictor"]?.versions.first)
        let probe = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state.path + "/" + version.modelDirectory + "/probe.json"))) as! [String: Any]
        #expect(probe["uid"] as? Int == Int(nobody), "\(probe)")
        #expect(probe["groups"] as? [Int] == [], "no supplementary groups: \(probe)")
        for secret in ["token", "database", "lock", "shadow", "daemonEnvironment"] {
            #expect(probe[secret] as? String == "PermissionError", "\(secret): \(probe)")
        }
        #expect(probe["writeState"] as? String == "PermissionError", "\(probe)")
        #expect(!FileManager.default.fileExists(atPath: state.path + "/intruder"))

        // The serving command runs as nobody too; the daemon's own processes as root.
        let records = try FileManager.default.contentsOfDirectory(atPath: state.path + "/processes")
        var servers = 0
        for record in records {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state.path + "/processes/" + record))) as! [String: Any]
            let pid = json["pid"] as! Int, role = json["role"] as! String
            let uid = try Self.uid(of: Int32(pid))
            if role.contains("replica") {
                servers += 1
                #expect(uid == nobody, "\(role) runs as uid \(uid)")
            } else {
                #expect(uid == 0, "\(role) is Sextant's own and runs as the daemon")
            }
        }
        #expect(servers == 1)

        // What stays private, and what the user owns.
        #expect(try Self.mode(state.path) == 0o700)
        #expect(try Self.mode(state.path + "/state.sqlite") == 0o600)
        #expect(try Self.mode(state.path + "/gateway.token") == 0o600)
        #expect(try Self.mode(work.path) == 0o711)
        let runs = try FileManager.default.contentsOfDirectory(atPath: work.path + "/runs")
        #expect(runs.count == 1)
        let owner = try FileManager.default.attributesOfItem(atPath: work.path + "/runs/" + runs[0])[.ownerAccountID] as? UInt
        #expect(owner == UInt(nobody))
        #expect(FileManager.default.fileExists(atPath: state.path + "/runs/" + runs[0] + "/.sextant/trainer.log"), "the log stays private")
    }

    @Test("--run-as names a user that does not exist, or a --work-dir the user cannot reach: one line naming the flag, exit 2",
          .enabled(if: canSwitchUsers, "needs root"))
    func badRunAs() async throws {
        let repository = try GitFixture()
        try repository.commit("empty", files: ["README.md": "nothing\n"])
        let state = try TemporaryDirectory("sextant-state")
        let missing = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", repository.path, "--state-dir", state.path, "--run-as", "no-such-user-x"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--run-as no-such-user-x: no such user on this machine"), "\(missing.stderr)")
        let unreachable = try TemporaryDirectory()
        #expect(chmod(unreachable.path, 0o700) == 0)
        let hidden = try await runProcess(sextantBinary, ["reconcile", "--once", "--repo", repository.path, "--state-dir", state.path,
                                                    "--work-dir", unreachable.path + "/work"])
        #expect(hidden.status == 2)
        #expect(hidden.stderr.contains("nobody (uid"), "\(hidden.stderr)")
        #expect(hidden.stderr.contains("cannot pass through \(unreachable.path)"), "\(hidden.stderr)")
    }

    static func uid(of pid: Int32) throws -> UInt32 {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Uid:") })
        return try #require(UInt32(line.split(whereSeparator: \.isWhitespace)[1]))
    }

    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }
}
