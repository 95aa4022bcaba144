import SextantYAML

extension Manifest {
    /// The checks that need only this manifest.
    package func validate(into issues: inout Issues) {
        switch self {
        case .model(let model):
            issues.checkName(model.metadata.name, at: ["metadata", "name"])
            model.spec.validate(into: &issues)
        case .dataset(let dataset):
            issues.checkName(dataset.metadata.name, at: ["metadata", "name"])
            dataset.spec.validate(into: &issues)
        case .dataContract(let contract):
            contract.validate(into: &issues)
        case .slo(let slo):
            issues.checkName(slo.metadata.name, at: ["metadata", "name"])
            slo.spec.validate(into: &issues)
        case .rolloutPolicy(let policy):
            issues.checkName(policy.metadata.name, at: ["metadata", "name"])
            policy.spec.validate(into: &issues)
        }
    }
}
