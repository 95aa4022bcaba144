import AsyncHTTPClient
import Foundation
import SextantCore
import SextantRay
import SextantTestSupport
import Testing

/// The Ray runtime's replicas against a real single-node Ray: a revision's slots are one
/// Serve application scaled to them, a restarted daemon adopts what runs without Serve
/// redeploying it, and what is gone or broken is told apart from what Ray is replacing.
/// The application is the echo fixture as a user's own deployment (`serving.runtime:
/// rayServe`), whose deployment name Sextant learns from Serve.
@Suite(.serialized, .enabled(if: RayCluster.isAvailable, RayCluster.unavailable), .rayCluster, .serveTurns, .timeLimit(.minutes(15)))
struct ServeApplicationSetTests {
    /// Stages the echo fixture with a model file, as the embedded runtime stages a revision's files.
    struct FixtureFiles: ServerFiles {
        let base: String

        func stage(_ launch: ServingLaunch, workspace: Workspace?, role: String, index: Int) async throws(ActionError) -> String {
            let directory = "\(base)/\(launch.model)-r\(launch.revision)-\(role)-\(UUID().uuidString)"
            do {
                try FileManager.default.createDirectory(atPath: directory + "/model", withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: RayServeTests.fixture + "/echo.py", toPath: directory + "/echo.py")
                try Data("v\(launch.version)".utf8).write(to: URL(fileURLWithPath: directory + "/model/weights.txt"))
            } catch {
                throw ActionError("cannot stage \(directory): \(error)")
            }
            return directory
        }
    }

    let work: TemporaryDirectory
    let client: RayClient
    let proxy: ServeHTTPOptions

    init() throws {
        work = try TemporaryDirectory()
        client = try RayCluster.client()
        proxy = ServeHTTPOptions(port: try freePort())
    }

    func applications() -> ServeApplicationSet {
        ServeApplicationSet(client: client, proxy: proxy, files: FixtureFiles(base: work.path), readinessTimeout: .seconds(240))
    }

    static func launch(revision: Int, importPath: String = "echo:build") -> ServingLaunch {
        ServingLaunch(model: "echo", version: revision, revision: revision, modelDirectory: "models/echo/v\(revision)",
                      runtime: .rayServe(importPath: importPath, env: ["SEXTANT_TEST_VALUE": "model ${SEXTANT_MODEL_NAME} v${SEXTANT_MODEL_VERSION}"], commit: "c0ffee"))
    }

    /// Every running replica id of an application's deployments.
    func replicaIDs(_ application: String) async throws -> Set<String> {
        let status = try await client.serveStatus()
        return Set(status.applications[application]?.deployments.values.flatMap { $0.replicas.filter { $0.state == .running }.map(\.replicaID) } ?? [])
    }

    /// Shuts Serve down, so the next test's declaration starts it with its own options.
    func cleanUp() async {
        try? await client.removeAllServeApplications()
        _ = try? await eventually(timeout: .seconds(120)) { try await client.serveStatus().proxies.isEmpty }
    }

    @Test("a revision's slots are one application, scaled to them: both replicas answer on its route prefix, with the serving contract's variables")
    func slotsAreOneApplication() async throws {
        let set = applications()
        let replicas = try await set.start(Self.launch(revision: 1), workspace: nil, slots: [0, 1], role: "replica", at: Date())
        #expect(replicas.map(\.index) == [0, 1])
        #expect(Set(replicas.map(\.endpoint)).count == 1)
        let endpoint = try #require(replicas.first?.endpoint)
        #expect(endpoint.hasSuffix("/echo/r1"), "\(endpoint)")
        #expect(Set(replicas.map(\.id)).count == 2)

        let status = try await client.serveStatus()
        let application = try #require(status.applications["sextant-echo-r1"])
        #expect(application.status == .running && application.routePrefix == "/echo/r1")
        #expect(application.deployments["Echo"]?.targetReplicas == 2, "the scale Sextant learned the deployment's name for")
        #expect(try await replicaIDs("sextant-echo-r1").count == 2)

        let answer = try await RayServeTests.get(endpoint + "/v2/models/echo/ready")
        #expect(answer.status == 200)
        #expect(answer.body.contains("/echo/r1/v2/models/echo/ready") && answer.body.contains("model echo v1"), "\(answer.body)")

        let health = await set.probe(replicas)
        #expect(health.values.allSatisfy { $0 == .ready }, "\(health)")
        #expect(await set.exited(replicas).isEmpty)
        await cleanUp()
    }

    @Test("an autoscaled revision: one slot, and Serve scales its deployment between the manifest's bounds, starting at min")
    func autoscaled() async throws {
        let set = applications()
        var launch = Self.launch(revision: 6)
        launch.autoscaling = ServingAutoscaling(minReplicas: 2, maxReplicas: 3, targetOngoingRequests: 4)
        let replicas = try await set.start(launch, workspace: nil, slots: [0], role: "replica", at: Date())
        #expect(replicas.count == 1)
        let deployment = try #require(try await client.serveStatus().applications["sextant-echo-r6"]?.deployments["Echo"])
        #expect(deployment.targetReplicas == 2, "autoscaling_config's min_replicas, not the one slot")
        #expect(try await eventually(timeout: .seconds(120)) { try await replicaIDs("sextant-echo-r6").count == 2 })
        await cleanUp()
    }

    @Test("a restarted daemon adopts the running application without Serve redeploying it; what nobody knows is removed")
    func adoptionKeepsWhatRuns() async throws {
        let before = applications()
        let replicas = try await before.start(Self.launch(revision: 2), workspace: nil, slots: [0], role: "replica", at: Date())
        let orphan = try await before.startPrivate(Self.launch(revision: 3), workspace: nil, role: "evaluation", at: Date())
        #expect(orphan.endpoint.hasSuffix("/echo/r3-evaluation"), "\(orphan.endpoint)")
        let running = try await replicaIDs("sextant-echo-r2")
        #expect(running.count == 1)

        // The daemon is gone; a new one knows the replica from its store.
        let after = applications()
        await after.adopt(replicas)
        #expect(try await eventually(timeout: .seconds(120)) { try await client.serveStatus().applications["sextant-echo-r3-evaluation"] == nil },
                "the crash's evaluation application is removed")
        #expect(try await replicaIDs("sextant-echo-r2") == running, "the same replica runs: Serve did not redeploy")
        #expect(await after.probe(replicas).values.allSatisfy { $0 == .ready })

        // Adopted: its slots are known, so stopping them removes the application.
        await after.stop(replicas)
        #expect(try await eventually(timeout: .seconds(120)) { try await client.serveStatus().applications["sextant-echo-r2"] == nil })
        await cleanUp()
    }

    @Test("stopping a slot scales the application down; an application removed behind Sextant's back is exited; a broken one fails to start, named")
    func stopExitAndFailure() async throws {
        let set = applications()
        let replicas = try await set.start(Self.launch(revision: 4), workspace: nil, slots: [0, 1], role: "replica", at: Date())
        await set.stop([replicas[1]])
        #expect(try await eventually(timeout: .seconds(120)) { try await client.serveStatus().applications["sextant-echo-r4"]?.deployments["Echo"]?.targetReplicas == 1 })
        #expect(await set.exited([replicas[0]]).isEmpty)

        try await client.declare(ServeDeclaration(httpOptions: proxy, applications: []))
        #expect(try await eventually(timeout: .seconds(120)) { try await client.serveStatus().applications["sextant-echo-r4"] == nil })
        try await Task.sleep(for: .seconds(1.1))  // past the cached status
        #expect(await set.exited([replicas[0]]) == [replicas[0].id])
        guard case .exited(let why)? = await set.probe([replicas[0]])[replicas[0].id] else {
            Issue.record("a removed application is exited")
            return
        }
        #expect(why.contains("no application sextant-echo-r4"), "\(why)")

        do {
            _ = try await set.start(Self.launch(revision: 5, importPath: "missing_module:app"), workspace: nil, slots: [0], role: "replica", at: Date())
            Issue.record("an application whose module is missing cannot start")
        } catch {
            #expect(error.reason == "ServerFailed", "\(error)")
            #expect(error.message.contains("sextant-echo-r5") && error.message.contains("missing_module"), "\(error.message)")
        }
        #expect(try await eventually(timeout: .seconds(120)) { try await client.serveStatus().applications["sextant-echo-r5"] == nil },
                "a failed start leaves nothing declared")
        await cleanUp()
    }
}
