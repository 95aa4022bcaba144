import Foundation
import SextantAPI

extension StatusModel {
    /// A model's retraining in status: the monitor's state, and the `Retrain` condition —
    /// True while a retraining runs; otherwise what the monitor waits for ("146 of 200
    /// labelled rows"), or what became of the last candidate.
    static func retrainStatus(_ model: DesiredModel, _ state: ModelObservation, into status: inout ObjectStatus, now: Date) {
        guard model.model.spec.monitoring?.retrain != nil, let retrain = state.retrain else { return }
        status.model?.retrain = retrain
        let condition: StatusCondition
        if let triggered = retrain.triggeredAt, (retrain.candidate?.at ?? .distantPast) < triggered {
            condition = StatusCondition(type: "Retrain", status: "True", reason: "Retraining",
                                        message: "a retraining runs since \(iso8601(triggered))", lastTransitionTime: triggered)
        } else if let waiting = retrain.waiting {
            condition = StatusCondition(type: "Retrain", status: "False", reason: "Waiting", message: waiting, lastTransitionTime: retrain.checkedAt ?? now)
        } else if let candidate = retrain.candidate {
            condition = StatusCondition(type: "Retrain", status: "False", reason: candidate.outcome.rawValue, message: candidate.message,
                                        lastTransitionTime: candidate.at)
        } else {
            return
        }
        status.conditions.append(condition)
    }
}
