import Foundation
import Testing
@testable import SextantRuntime
import SextantCore
import SextantTestSupport

/// A Ray Serve application (`serving.runtime: rayServe`) runs only on the Ray runtime: the
/// embedded runtime refuses it with a reason and what to do, and starts nothing.
@Suite struct RayServeRefusalTests {
    @Test("the embedded runtime refuses a rayServe revision's replicas as RuntimeUnsupported, naming --runtime ray")
    func refused() async throws {
        let state = try TemporaryDirectory()
        let runtime = ServerInstanceTests.runtime(state)
        let launch = ServingLaunch(model: "fraud", version: 1, revision: 2, modelDirectory: "models/fraud/v1",
                                   runtime: .rayServe(importPath: "serving.app:app", env: [:], commit: "c1"),
                                   autoscaling: ServingAutoscaling(minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 2))
        let workspace = Workspace(commit: "c1", files: ["serving/app.py": "blob"])
        var refusal: ActionError?
        do throws(ActionError) {
            _ = try await runtime.startReplicas(launch, workspace: workspace, indices: [0], at: Date())
        } catch {
            refusal = error
        }
        let error = try #require(refusal, "a rayServe launch started on the embedded runtime")
        #expect(error.reason == "RuntimeUnsupported")
        #expect(error.message.contains("r2 of fraud is a Ray Serve application"), "\(error.message)")
        #expect(error.message.contains("--runtime ray"), "\(error.message)")
        #expect(runtime.processes.live().isEmpty, "no process was started")
    }
}
