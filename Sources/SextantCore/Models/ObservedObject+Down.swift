package import Foundation

extension ObservedObject {
    /// This model after `sextant down` stopped its servers: no serving process (the next
    /// pass starts the stable revision again), with the `ServingStopped` event saying what
    /// was stopped; nil for an object that had none. Both stores record it the same way.
    package func forgettingReplicas(at now: Date, actor: String) -> (object: ObservedObject, event: Event)? {
        guard var model, !model.allReplicas.isEmpty else { return nil }
        let count = model.allReplicas.count
        let event = Event(time: now, kind: .model, name: key.name, reason: .servingStopped,
                          message: "`sextant down` stopped \(count) serving process\(count == 1 ? "" : "es") of r\(model.stableRevision ?? 0)"
                              + (model.rollout.map { " and candidate r\($0.revision)" } ?? ""),
                          commit: nil, actor: actor)
        model.replicas = []
        model.rollout?.replicas = []
        model.retiring = []
        model.crashes = 0
        model.nextRestartAt = nil
        var object = self
        object.model = model
        return (object, event)
    }
}
