import Foundation
import Hummingbird
import SextantAPI
package import SextantCore
import SextantStore

extension DaemonAPI {
    /// `GET /api/v1/models/{name}/experiment` (DESIGN §10): the model's running experiment,
    /// else the last one that decided, as `sextant experiment -o json` prints it. 404 naming
    /// an unknown model (with the nearest name), and a 404 with `reason: NoExperiment` saying
    /// how to start one for a model that never ran one.
    func addExperimentRoutes(to router: Router<BasicRequestContext>) {
        router.get("api/v1/models/:name/experiment") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard let document = try await store.savedStatus()?.document else {
                return Self.error("no status yet: the first reconcile pass has not finished", status: .serviceUnavailable)
            }
            let models = document.objects.filter { $0.kind == .model }
            guard let object = models.first(where: { $0.name == name }) else {
                return Self.error("no model \(name)" + UnknownName.hint(name, known: models.map(\.name), listing: "GET /api/v1/status"), status: .notFound)
            }
            guard let report = object.model?.experiment else {
                return Self.json(["error": MissingExperiment.message(for: object), "reason": MissingExperiment.reason], status: .notFound)
            }
            return Self.json(report)
        }
    }
}

/// A model that has run no experiment: what the API's 404 and `sextant experiment` say,
/// so a newcomer learns how to start one.
package enum MissingExperiment {
    /// The `reason` of the API's 404, which tells it apart from an unknown model's.
    package static let reason = "NoExperiment"

    /// `fraud-detector has no experiment: one starts when a new revision rolls out under a
    /// RolloutPolicy with strategy: experiment (docs/experiments.md)`, naming the strategy of
    /// a rollout in flight.
    package static func message(for object: ObjectStatus) -> String {
        var text = "\(object.name) has no experiment: one starts when a new revision rolls out under a RolloutPolicy with "
            + "`strategy: experiment` and an `experiment:` block (docs/experiments.md)"
        if let rollout = object.model?.rollout, let candidate = object.model?.candidateRevision {
            text += "; the rollout of r\(candidate) in flight uses strategy \(rollout.strategy)"
                + (rollout.policy.map { " (RolloutPolicy \($0))" } ?? "")
        }
        return text
    }
}
