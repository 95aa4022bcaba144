import Foundation
import Logging
import SextantAPI

extension Reconciler {
    /// The drift query of a model whose drift is judged (`monitoring.drift` set, or
    /// `retrain.on` naming `drift`): the stable version and its serving revisions.
    func driftQuery(_ monitoring: MonitoringSpec?, state: ModelObservation, registry: ModelRegistry, version: ModelVersion,
                    features: [FeatureColumn]) -> DriftQuery? {
        let retrainsOnDrift = monitoring?.retrain?.on?.contains(.drift) == true
        guard monitoring?.drift != nil || retrainsOnDrift else { return nil }
        let candidates = [state.stableRevision, state.rollout?.revision].compactMap { $0 } + state.retiring.map(\.revision)
        let revisions = Set(candidates.filter { registry.revision($0)?.version == version.number }).sorted()
        return DriftQuery(version: version.number, modelDirectory: version.modelDirectory, revisions: revisions, features: features,
                          spec: monitoring?.drift)
    }

    /// A dataset drift verdict that differs from the one recorded goes through the model's
    /// transition like any recorded change: journaled, folded, its event written once.
    func recordDriftVerdicts() async {
        for (name, signals) in productionSignals.sorted(by: { $0.key < $1.key }) {
            guard let report = signals.drift else { continue }
            let key = ObjectKey(.model, name)
            guard DriftVerdict.changes(observed[key]?.model?.drift, to: report) else { continue }
            let now = clock.now()
            do {
                let id = try await journal(JournalEntry(action: Self.driftJournalAction, key: key,
                                                        fingerprint: Fingerprint.of("drift/1", [name, String(report.datasetDrift == true)]),
                                                        attempt: 1, commit: desired?.commit, input: "{}", startedAt: now))
                _ = try await fold(.driftJudged(report), key: key, journal: id, journalAction: Self.driftJournalAction,
                                   commit: desired?.commit, actor: options.actor)
            } catch {
                // The store refused: the next pass compares again and records it then.
                logger.warning("cannot record the drift verdict", metadata: ["model": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// How the journal names a recorded drift verdict.
    static var driftJournalAction: String { "Drift" }
}
