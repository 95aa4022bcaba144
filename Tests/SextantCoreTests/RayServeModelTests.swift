import Foundation
import Testing
import SextantAPI
@testable import SextantCore

/// A model served as a Ray Serve application (`runtime: rayServe`) or autoscaled (DESIGN
/// §12): what makes a new revision, what only rescales the one that serves, and what its
/// jobs carry.
@Suite struct RayServeModelTests {
    static let now = ModelPlannerTests.now

    /// The planner tests' model served by `serving` (a flow mapping's inside).
    static func model(_ serving: String) -> String {
        ModelPlannerTests.model().replacingOccurrences(of: "serving: {replicas: 1}", with: "serving: {\(serving)}")
    }

    static let rayServe = "runtime: rayServe, importPath: serving.app:app"

    /// The manifests and files of a commit: `serving/app.py`, a sibling module and a
    /// trainer beside the planner tests' data, with blob ids that `edit` may change.
    static func desired(_ model: String, edit: (inout [String: String]) -> Void = { _ in }) throws -> DesiredState {
        var blobs = ["data/tx.csv": "blob1", "serving/app.py": "app1", "serving/util.py": "util1", "serving/v2/__init__.py": "v2",
                     "app.py": "root1", "trainers/train.py": "train1"]
        edit(&blobs)
        var files = Manifests.basic
        files["model.yaml"] = model
        for path in blobs.keys where files[path] == nil { files[path] = "" }
        return try Manifests.desired(files, blobs: blobs, dataRoots: ["/srv/data"])
    }

    static func fingerprint(_ desired: DesiredState) -> String { desired.models["fraud"]!.servingFingerprint }

    @Test("the module's folder and the importPath make a new revision; other files, replicas and autoscaling do not", arguments: [
        ("serving/app.py changed", model(rayServe), ["serving/app.py": "app2"], true),
        ("a sibling module changed", model(rayServe), ["serving/util.py": "util2"], true),
        ("a module added to the folder", model(rayServe), ["serving/new.py": "new"], true),
        ("the data changed", model(rayServe), ["data/tx.csv": "blob2"], false),
        ("the trainer changed", model(rayServe), ["trainers/train.py": "train2"], false),
        ("another importPath", model("runtime: rayServe, importPath: serving.v2:app"), [:], true),
        ("another attribute", model("runtime: rayServe, importPath: serving.app:other"), [:], true),
        ("env", model(rayServe + ", env: {A: b}"), [:], true),
        ("replicas", model(rayServe + ", replicas: 3"), [:], false),
        ("autoscaling", model(rayServe + ", autoscaling: {min: 2, max: 8, targetOngoingRequests: 5}"), [:], false),
        ("the built-in runtime", model("replicas: 1"), [:], true),
    ] as [(String, String, [String: String], Bool)])
    func servingFingerprint(change: String, model: String, blobs: [String: String], newRevision: Bool) throws {
        let base = Self.fingerprint(try Self.desired(Self.model(Self.rayServe)))
        let changed = Self.fingerprint(try Self.desired(model) { $0.merge(blobs) { $1 } })
        #expect((changed != base) == newRevision, "\(change)")
    }

    @Test("a top-level module is its file alone: the root's manifests and data never make a new revision")
    func topLevelModule() throws {
        let top = Self.model("runtime: rayServe, importPath: app:app")
        let base = Self.fingerprint(try Self.desired(top))
        #expect(Self.fingerprint(try Self.desired(top) { $0["app.py"] = "root2" }) != base)
        #expect(Self.fingerprint(try Self.desired(top) { $0["data/tx.csv"] = "blob2" }) == base)
        #expect(Self.fingerprint(try Self.desired(top) { $0["serving/app.py"] = "app2" }) == base)
        let package = Self.model("runtime: rayServe, importPath: v2:app")
        let packaged = Self.fingerprint(try Self.desired(package) { $0["v2/__init__.py"] = "p1" })
        #expect(Self.fingerprint(try Self.desired(package) { $0["v2/__init__.py"] = "p1"; $0["v2/model.py"] = "m" }) != packaged,
                "a top-level package is its folder")
    }

    @Test("an autoscaled model runs its minimum, with Ray's default target filled in")
    func autoscaledReplicas() throws {
        let model = try #require(try Self.desired(Self.model(Self.rayServe + ", autoscaling: {min: 2, max: 8}")).models["fraud"])
        #expect(model.replicas == 2)
        #expect(model.autoscaling == ServingAutoscaling(minReplicas: 2, maxReplicas: 8, targetOngoingRequests: 2))
        let fixed = try #require(try Self.desired(Self.model(Self.rayServe + ", replicas: 3")).models["fraud"])
        #expect(fixed.replicas == 3)
        #expect(fixed.autoscaling == nil)
    }

    @Test("a Ray Serve revision is evaluated and deployed with its import path, env, commit, files and scale")
    func launches() throws {
        let desired = try Self.desired(Self.model(Self.rayServe + ", env: {A: b}, autoscaling: {min: 1, max: 4}"))
        let model = desired.models["fraud"]!
        var observed = ModelPlannerTests.served(desired, deployed: false)
        let deploy = Planner.decide(model, desired: desired, observed: observed, datasetCurrent: true, now: Self.now)
        observed.registries["fraud"]!.revisions = []
        let evaluate = Planner.decide(model, desired: desired, observed: observed, datasetCurrent: true, now: Self.now)
        guard case .evaluate(let evaluation) = evaluate.stage, case .deploy(let job) = deploy.stage else {
            Issue.record("expected an evaluation and a deploy, got \(evaluate.stage) and \(deploy.stage)")
            return
        }
        for launch in [evaluation.launch, job.launch] {
            #expect(launch.runtime == .rayServe(importPath: "serving.app:app", env: ["A": "b"], commit: "c1"))
            #expect(launch.autoscaling == Self.oneToFour)
        }
        #expect(evaluation.workspace == desired.workspace, "the application's files are the commit's")
        #expect(job.workspace == desired.workspace)
        #expect(job.replicas == 1)
    }

    /// r1 serving on one replica, started with `autoscaling`; Git asks for `model`.
    static func serve(_ model: String, startedWith autoscaling: ServingAutoscaling?) throws -> (DesiredState, ObservedState) {
        let desired = try Self.desired(model)
        var observed = ModelPlannerTests.served(desired)
        observed.registries["fraud"]!.revisions[0].servingLaunch?.autoscaling = autoscaling
        return (desired, observed)
    }

    static let oneToFour = ServingAutoscaling(minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 2)

    @Test("an autoscaling change rescales the revision that serves: no new revision, the new bounds on its job", arguments: [
        ("other bounds", rayServe + ", autoscaling: {min: 1, max: 8}", oneToFour as ServingAutoscaling?,
         ServingAutoscaling(minReplicas: 1, maxReplicas: 8, targetOngoingRequests: 2) as ServingAutoscaling?, 1),
        ("another target", rayServe + ", autoscaling: {min: 1, max: 4, targetOngoingRequests: 3}", oneToFour,
         ServingAutoscaling(minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 3), 1),
        ("a higher minimum", rayServe + ", autoscaling: {min: 2, max: 4}", oneToFour, ServingAutoscaling(minReplicas: 2, maxReplicas: 4, targetOngoingRequests: 2), 2),
        ("autoscaling turned on", rayServe + ", autoscaling: {min: 1, max: 4}", nil, oneToFour, 1),
        ("autoscaling turned off", rayServe + ", replicas: 1", oneToFour, nil, 1),
    ])
    func rescale(change: String, model: String, startedWith: ServingAutoscaling?, wanted: ServingAutoscaling?, replicas: Int) throws {
        let (desired, observed) = try Self.serve(Self.model(model), startedWith: startedWith)
        let actions = Planner.plan(desired: desired, observed: observed, now: Self.now).actions.filter { $0.key.kind == .model }
        guard actions.count == 1, case .serve(let job) = actions[0] else {
            Issue.record("\(change): expected one rescale of r1, got \(actions.map(\.name))")
            return
        }
        #expect(job.launch.revision == 1, "\(change)")
        #expect(job.launch.autoscaling == wanted, "\(change)")
        #expect(job.replicas == replicas, "\(change)")
        #expect(job.indicesToStart.count == replicas - 1, "\(change): the replica that runs is kept")
    }

    @Test("r1 runs with the scale Git asks for: nothing to do")
    func steady() throws {
        let (desired, observed) = try Self.serve(Self.model(Self.rayServe + ", autoscaling: {min: 1, max: 4}"), startedWith: Self.oneToFour)
        #expect(Planner.plan(desired: desired, observed: observed, now: Self.now).actions.filter { $0.key.kind == .model }.isEmpty)
    }

    @Test("a rescale is another action than the serve before it, so an old failure's backoff does not hold it")
    func rescaleFingerprint() {
        func serve(_ autoscaling: ServingAutoscaling?) -> Action {
            var job = ModelTransitionTests.serving(1)
            job.launch.autoscaling = autoscaling
            return .serve(job)
        }
        #expect(serve(Self.oneToFour).fingerprint != serve(nil).fingerprint)
        #expect(serve(Self.oneToFour).fingerprint != serve(ServingAutoscaling(minReplicas: 1, maxReplicas: 8, targetOngoingRequests: 2)).fingerprint)
        #expect(serve(nil).fingerprint == Fingerprint.of("serve/1", ["fraud", "stable", "1", "1"]), "a fixed count's fingerprint is what it was")
    }

    @Test("a served job records its scale on the revision, which the next plan compares Git's with")
    func servedRecordsTheScale() {
        var job = ModelTransitionTests.serving(1, keep: [ModelTransitionTests.replica(1)])
        job.launch.autoscaling = Self.oneToFour
        let object = ObservedObject(key: ObjectKey(.model, "fraud"), model: ModelTransitionTests.stable, updatedAt: Self.now)
        let result = ModelTransition.apply(.served(job, started: []), to: object, registry: ModelTransitionTests.registry(),
                                           context: .init(model: "fraud", commit: "c1", actor: "sextant", policy: nil, traffic: nil, now: Self.now))
        #expect(result.registry.revision(1)?.servingLaunch?.autoscaling == Self.oneToFour)
        #expect(result.registry.revision(2)?.servingLaunch?.autoscaling == nil)
        #expect(result.events.map(\.message) == ["r1 runs 1 replica on http://127.0.0.1:9100; autoscaling 1–4 replicas by load (2 requests in flight each)"])
    }

    @Test("plan says an autoscaling change rescales, and a new importPath makes a new revision", arguments: [
        (model(rayServe + ", autoscaling: {min: 1, max: 4}"), model(rayServe + ", autoscaling: {min: 2, max: 8, targetOngoingRequests: 1.5}"),
         ["rescales the serving revision from 1–4 replicas by load (2 requests in flight each) to 2–8 replicas by load (1.5 requests in flight each)"]),
        (model(rayServe + ", replicas: 1"), model(rayServe + ", autoscaling: {min: 1, max: 4}"),
         ["rescales the serving revision from 1 replica to 1–4 replicas by load (2 requests in flight each)"]),
        (model(rayServe), model("runtime: rayServe, importPath: serving.v2:app"),
         ["new revision of the same version (serving changed): evaluated through the new server, no retraining", ModelPlannerTests.replaceRollout]),
    ])
    func consequences(base: String, head: String, expected: [String]) throws {
        let before = try Self.desired(base)
        let reviews = ChangeReview.compare(base: before, head: try Self.desired(head), observed: ModelPlannerTests.served(before), prune: true, now: Self.now)
        let review = try #require(reviews.first { $0.kind == .model })
        #expect(review.consequences == expected)
    }
}
