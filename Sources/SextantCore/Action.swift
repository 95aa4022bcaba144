import Foundation
package import SextantAPI

/// One step the planner decides and the executor performs, journaled by fingerprint.
package enum Action: Sendable, Hashable {
    case checkDataset(DatasetCheck)
    /// Train a new version.
    case train(TrainingJob)
    /// Judge a revision on the holdout through its serving path.
    case evaluate(EvaluationJob)
    /// Write a version that passed as a ModelPack artifact.
    case package(PackageJob)
    /// Start a revision's replicas (first deploy, replacement, restart after a crash).
    case serve(ServingJob)
    /// Stop a model's serving processes (a model removed from Git).
    case stopServing(model: String, replicas: [Replica])
    /// Move a canary on: a step, a new sample window, a pause, promotion or abort.
    case rollout(model: String, revision: Int, change: RolloutChange)
    /// Stop an old stable revision once its `scaleDownDelay` has passed.
    case retire(model: String, RetiringRevision)
    /// Forget an object removed from Git (its history stays in the journal and events).
    case prune(ObjectKey)
    /// Train and judge a retraining candidate (DESIGN §7), never served by itself.
    case retrain(RetrainJob)
    /// Write a proposal to Git: commit on its branch, push, open or update its pull request.
    case propose(ProposedChange)

    package var key: ObjectKey {
        switch self {
        case .checkDataset(let check): ObjectKey(.dataset, check.name)
        case .train(let job): ObjectKey(.model, job.model)
        case .evaluate(let job): ObjectKey(.model, job.model)
        case .package(let job): ObjectKey(.model, job.model)
        case .serve(let job): ObjectKey(.model, job.model)
        case .stopServing(let model, _): ObjectKey(.model, model)
        case .rollout(let model, _, _): ObjectKey(.model, model)
        case .retire(let model, _): ObjectKey(.model, model)
        case .prune(let key): key
        case .retrain(let job): ObjectKey(.model, job.model)
        case .propose(let change): ObjectKey(.model, change.model)
        }
    }

    /// The journal's name for the action.
    package var name: String {
        switch self {
        case .checkDataset: "CheckDataset"
        case .train: "Train"
        case .evaluate: "Evaluate"
        case .package: "Package"
        case .serve: "Serve"
        case .stopServing: "StopServing"
        case .rollout(_, _, let change): change.name
        case .retire: "Retire"
        case .prune: "Prune"
        case .retrain: "Retrain"
        case .propose: "Propose"
        }
    }

    package var fingerprint: String {
        switch self {
        case .checkDataset(let check): check.fingerprint
        case .train(let job): job.fingerprint
        case .evaluate(let job): job.fingerprint
        case .package(let job): Fingerprint.of("package/1", [job.model, String(job.version.number), job.version.fingerprint])
        case .serve(let job):
            // A rescale to other autoscaling bounds is another action than the last one tried.
            Fingerprint.of("serve/1", [job.model, job.role.rawValue, String(job.launch.revision), String(job.replicas)]
                + (job.launch.autoscaling.map { [$0.summary] } ?? []))
        case .rollout(let model, let revision, let change): Fingerprint.of("rollout/1", [model, String(revision), change.name, "\(change)"])
        case .retire(let model, let retiring): Fingerprint.of("retire/2", [model, String(retiring.revision)] + retiring.replicas.map(\.id))
        case .stopServing(let model, let replicas): Fingerprint.of("stop/2", [model] + replicas.map(\.id))
        case .prune(let key): Fingerprint.of("prune/1", key)
        case .retrain(let job): Fingerprint.of("retrain/1", [job.model, iso8601(job.triggeredAt)])
        case .propose(let change): change.fingerprint
        }
    }

    /// Whether it trains (at most `--max-parallel-training` at once).
    package var isTraining: Bool {
        switch self {
        case .train, .retrain: true
        default: false
        }
    }
}

/// Everything a dataset check reads; its fingerprint changes when any of it does.
package struct DatasetCheck: Sendable, Hashable {
    package var name: String
    package var data: DataLocation
    /// What the data is: a blob id, the hash of a local file, or why it cannot be read.
    package var dataIdentity: String
    package var sha256Pin: String?
    package var table: ContractTable
    package var contract: ContractLabel
    package var commit: String
    /// The fingerprint of the rules (contract table, pin), computed once per commit.
    package var rulesFingerprint: String

    package init(name: String, data: DataLocation, dataIdentity: String, sha256Pin: String?, table: ContractTable,
                contract: ContractLabel, commit: String, rulesFingerprint: String) {
        self.name = name
        self.data = data
        self.dataIdentity = dataIdentity
        self.sha256Pin = sha256Pin
        self.table = table
        self.contract = contract
        self.commit = commit
        self.rulesFingerprint = rulesFingerprint
    }

    /// Version of the check algorithm: bump it when the same inputs would get another verdict.
    package static let algorithm = "dataset-check/1"

    /// Independent of the commit: a commit that leaves the dataset and its contract as
    /// they were does not check it again.
    package var fingerprint: String {
        Fingerprint.sha256(Array("\(Self.algorithm)\u{0}\(rulesFingerprint)\u{0}\(dataIdentity)".utf8))
    }

    /// What the journal records as the action's input (JSON).
    package var journalInput: String {
        struct Input: Encodable {
            var dataset: String
            var data: String
            var identity: String
            var contract: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try! encoder.encode(Input(dataset: name, data: data.description, identity: dataIdentity, contract: contract.description))
        return String(decoding: json, as: UTF8.self)
    }
}
