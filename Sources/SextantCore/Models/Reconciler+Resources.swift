import Foundation
import SextantWire

extension Reconciler {
    /// Samples what every serving process uses, folds it into its revision's totals with
    /// the gateway's counts, and stores the totals that changed. Revisions whose replicas
    /// all stopped keep their totals (`history` shows them) and are sampled no more.
    func sampleResources() async throws {
        let serving = observed.values.flatMap { object in (object.model?.allReplicas ?? []).map { (model: object.key.name, replica: $0) } }
        guard let usage = await runtime.resourceUsage(serving.map(\.replica)) else { return }
        let now = clock.now()
        var samples: [RevisionKey: [Replica.ID: ResourceUsage]] = [:]
        for (model, replica) in serving {
            let key = RevisionKey(model, replica.revision)
            samples[key, default: [:]][replica.id] = usage[replica.id]
        }
        let sampled = Set(samples.keys).union(resources.filter { !$0.value.replicas.isEmpty }.keys)
        for key in sampled {
            let count = traffic.map {
                RevisionResources.GatewayCount(instance: $0.instance, requests: $0.counters(model: key.model, revision: key.revision).requests)
            }
            resources[key, default: RevisionResources(key: key, updatedAt: now)].record(samples[key] ?? [:], count: count, at: now)
        }
        let changed = resources.values.filter { storedResources[$0.key] != $0 }.sorted { $0.key < $1.key }
        guard !changed.isEmpty else { return }
        try await write("saving resource use") { try await store.saveResources(changed) }
        for record in changed { storedResources[record.key] = record }
    }
}
