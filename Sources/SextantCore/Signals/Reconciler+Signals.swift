import SextantAPI

extension Reconciler {
    /// Reads what production says about every model that has served: its online metrics,
    /// with `monitoring.contract: observe` its logged inputs against the contract, and with
    /// drift judged its drift; then records drift verdicts that changed. The features the log
    /// holds as keyed hashes are the desired model's classified ones, as the gateway's routing
    /// table names them, whichever version serves.
    func readSignals(_ desired: DesiredState) async {
        guard let signals else { return }
        let queries = desired.models.values.compactMap { model -> SignalQuery? in
            guard let registry = registries[model.name], let state = observed[ObjectKey(.model, model.name)]?.model,
                  let served = state.stableRevision.flatMap(registry.revision),
                  let version = registry.version(served.version) else { return nil }
            let monitoring = model.model.spec.monitoring
            let contract = monitoring?.contract == .off ? nil : desired.manifests.dataset(named: model.dataset).flatMap(desired.manifests.table)
            let features = version.features ?? model.features
            return SignalQuery(model: model.name, features: features.map(\.name), task: model.model.spec.task,
                               classes: (version.classes ?? []).sorted(), window: monitoring?.online?.window ?? OnlineMetricsSpec.defaultWindow,
                               contract: contract, drift: driftQuery(monitoring, state: state, registry: registry, version: version, features: features),
                               hashed: Set(model.classifiedFeatures.map(\.column)),
                               experiment: Self.experimentQuery(model, state: state, manifests: desired.manifests))
        }
        productionSignals = await signals.observe(queries.sorted { $0.model < $1.model })
        await recordDriftVerdicts()
    }

    /// A running experiment's arms and KPI, from its rollout and policy.
    static func experimentQuery(_ model: DesiredModel, state: ModelObservation, manifests: ManifestSet) -> ExperimentQuery? {
        guard let rollout = state.rollout, rollout.phase == .experiment, let stable = state.stableRevision,
              let settings = ResolvedPolicy(model.model, in: manifests).experiment else { return nil }
        return ExperimentQuery(settings: settings, stable: stable, candidate: rollout.revision, since: rollout.startedAt)
    }
}
