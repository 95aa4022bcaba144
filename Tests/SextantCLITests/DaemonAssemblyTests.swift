import Foundation
import Logging
import Testing
import SextantCLI
import SextantAPI
import SextantCore
import SextantStore
import SextantTestSupport

/// The daemon as `run` and `reconcile --once` build it (`buildDaemon`), on real repositories.
@Suite struct DaemonAssemblyTests {
    static let contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:datacontract:tx
        version: 1.0.0
        status: active
        schema:
          - name: tx
            properties: [{name: id, logicalType: string, required: true}]
        """

    static let dataset = """
        apiVersion: sextant.dev/v1alpha1
        kind: Dataset
        metadata: {name: tx}
        spec: {source: {path: data/tx.csv, format: csv}, contract: urn:datacontract:tx}
        """

    /// A repository of one checked dataset, and a state directory next to it (not made yet).
    struct Setup {
        let fixture: GitFixture
        let head: String
        let scratch: TemporaryDirectory
        var state: String { scratch.path + "/state" }

        init() throws {
            fixture = try GitFixture()
            head = try fixture.commit("tx", files: [
                "ml/contract.yaml": DaemonAssemblyTests.contract, "ml/dataset.yaml": DaemonAssemblyTests.dataset, "ml/data/tx.csv": "id\na\nb\nc\n",
            ])
            scratch = try TemporaryDirectory("sextant-daemon")
        }

        /// `reconcile --once --repo FIXTURE --path ml --state-dir STATE --gateway 127.0.0.1:0`; as root, the
        /// repository's code would run as nobody in a work directory under the scratch directory.
        func configuration(run: DaemonConfiguration.Run? = nil) -> DaemonConfiguration {
            var configuration = DaemonConfiguration(repository: fixture.path, stateDirectory: state)
            configuration.root = "ml"
            configuration.gateway = "127.0.0.1:0"
            configuration.workDirectory = scratch.path + "/work"
            configuration.run = run
            return configuration
        }
    }

    /// Warnings and errors only: a pass logs every step at info.
    static let logger: Logger = {
        var logger = Logger(label: "sextant.test")
        logger.logLevel = .warning
        return logger
    }()

    @Test("reconcile's daemon applies the head commit and checks its dataset, read from the mirrored repository")
    func reconcileDaemon() async throws {
        let setup = try Setup()
        let daemon = try buildDaemon(setup.configuration(), logger: Self.logger)
        #expect(daemon.services.isEmpty)
        let report = try await daemon.reconciler.pass()
        #expect(report.status.revision.appliedCommit == setup.head)
        let dataset = try #require(report.status.objects.first { $0.kind == .dataset && $0.name == "tx" })
        #expect(dataset.dataset?.rows == 3, "the data file's blob was read through the daemon's repository source")
        #expect(dataset.dataset?.sha256 == Fingerprint.sha256(Array("id\na\nb\nc\n".utf8)))
        #expect(try daemon.store.status()?.revision.appliedCommit == setup.head)
        #expect(FileManager.default.fileExists(atPath: setup.state + "/source.git"))
    }

    @Test("the state directory is made private and held until the daemon is dropped: a second one is refused, naming the first")
    func stateDirectoryHeld() throws {
        let setup = try Setup()
        do {
            let daemon = try buildDaemon(setup.configuration(run: .init(listen: "127.0.0.1:0", interval: .seconds(15))))
            #expect(daemon.services.count == 3, "the loop, the data-plane watchdog and the API")
            let mode = try FileManager.default.attributesOfItem(atPath: setup.state)[.posixPermissions] as? Int
            #expect(mode == 0o700)
            #expect {
                try buildDaemon(setup.configuration())
            } throws: { error in
                (error as? CommandFailure)?.message == "state directory \(setup.state) is in use by another sextant process "
                    + "(pid \(getpid()): sextant run --listen 127.0.0.1:0); stop it, or give this one another --state-dir"
            }
        }
        #expect(throws: Never.self) { _ = try buildDaemon(setup.configuration()) }
    }

    @Test("a local --repo that is no repository ends it before the state directory is made")
    func notARepository() throws {
        let setup = try Setup()
        var configuration = setup.configuration()
        configuration.repository = setup.scratch.path
        #expect {
            try buildDaemon(configuration)
        } throws: { error in
            (error as? CommandFailure)?.message == "--repo \(setup.scratch.path): not a Git repository (no .git inside); "
                + "give the repository's top directory, and --path for a directory in it"
        }
        #expect(!FileManager.default.fileExists(atPath: setup.state))
    }
}
