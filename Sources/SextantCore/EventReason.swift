/// Why an event was recorded (its `reason` field, DESIGN §5): one case per reason Sextant
/// writes. Its raw value is the string the API, `sextant events` and the store show. A
/// stored reason this version does not know (written by a newer one) loads as `unknown`
/// and shows as it was written.
package enum EventReason: OpenStringEnum {
    // The followed branch (kind `Repository`).
    case fetchFailed, fetchRecovered, forcePushed, commitApplied, commitRejected, pruneRefused
    // Any object.
    case pruned
    /// The process ended while an action of the object ran.
    case actionInterrupted
    // Datasets.
    case datasetValidated, dataInvalid, checkFailed
    // A model's training, evaluation and packaging.
    case trained, evaluated, packaged, trainingFailed, gateFailed
    /// An action failed on the machine and is retried with backoff (`failed(_:)`).
    case trainFailed, evaluateFailed, packageFailed, serveFailed, stopServingFailed, rolloutFailed, retireFailed, pruneFailed
    /// The daemon stopped while an action ran; the next daemon runs it again.
    case cancelled
    // What serves.
    case deployed, scaled, replicaRestarted, restartFailed, scaledDown, servingStopped
    // Rollouts.
    case rolloutStarted, stepAdvanced, switched, analysisFailed, analysisWindowRestarted, rolloutPaused, promoted, superseded, rolloutAborted
    /// An experiment decided, with its numbers (DESIGN §10).
    case experimentConcluded
    // A person's decisions.
    case retryRequested, promoteRequested, abortRequested
    // Retraining (DESIGN §7).
    case retrainTriggered, retrainBlocked, candidateReady, retrainRejected, retrainFailed
    /// Writing to Git (DESIGN §8).
    case rollbackRequested, rollbackRefused, branchPushed, pullRequestOpened, pullRequestUpdated, proposeFailed, proposalRejected, branchMerged
    // Production signals.
    case driftDetected, driftResolved
    // The gateway and the store.
    case gatewayStarted, gatewayRestarted, storeUnavailable, storeRecovered
    /// A replica won the lease of a shared store (DESIGN §12).
    case leaderElected
    /// A reason written by a newer version.
    case unknown(String)

    /// Every reason this version writes.
    package static let allCases: [EventReason] = [
        .fetchFailed, .fetchRecovered, .forcePushed, .commitApplied, .commitRejected, .pruneRefused,
        .pruned, .actionInterrupted,
        .datasetValidated, .dataInvalid, .checkFailed,
        .trained, .evaluated, .packaged, .trainingFailed, .gateFailed,
        .trainFailed, .evaluateFailed, .packageFailed, .serveFailed, .stopServingFailed, .rolloutFailed, .retireFailed, .pruneFailed,
        .cancelled,
        .deployed, .scaled, .replicaRestarted, .restartFailed, .scaledDown, .servingStopped,
        .rolloutStarted, .stepAdvanced, .switched, .analysisFailed, .analysisWindowRestarted, .rolloutPaused, .promoted, .superseded, .rolloutAborted,
        .experimentConcluded,
        .retryRequested, .promoteRequested, .abortRequested,
        .retrainTriggered, .retrainBlocked, .candidateReady, .retrainRejected, .retrainFailed,
        .rollbackRequested, .rollbackRefused, .branchPushed, .pullRequestOpened, .pullRequestUpdated, .proposeFailed, .proposalRejected, .branchMerged,
        .driftDetected, .driftResolved,
        .gatewayStarted, .gatewayRestarted, .storeUnavailable, .storeRecovered,
        .leaderElected,
    ]

    package var rawValue: String {
        switch self {
        case .fetchFailed: "FetchFailed"
        case .fetchRecovered: "FetchRecovered"
        case .forcePushed: "ForcePushed"
        case .commitApplied: "CommitApplied"
        case .commitRejected: "CommitRejected"
        case .pruneRefused: "PruneRefused"
        case .pruned: "Pruned"
        case .actionInterrupted: "ActionInterrupted"
        case .datasetValidated: "DatasetValidated"
        case .dataInvalid: "DataInvalid"
        case .checkFailed: "CheckFailed"
        case .trained: "Trained"
        case .evaluated: "Evaluated"
        case .packaged: "Packaged"
        case .trainingFailed: "TrainingFailed"
        case .gateFailed: "GateFailed"
        case .trainFailed: "TrainFailed"
        case .evaluateFailed: "EvaluateFailed"
        case .packageFailed: "PackageFailed"
        case .serveFailed: "ServeFailed"
        case .stopServingFailed: "StopServingFailed"
        case .rolloutFailed: "RolloutFailed"
        case .retireFailed: "RetireFailed"
        case .pruneFailed: "PruneFailed"
        case .cancelled: "Cancelled"
        case .deployed: "Deployed"
        case .scaled: "Scaled"
        case .replicaRestarted: "ReplicaRestarted"
        case .restartFailed: "RestartFailed"
        case .scaledDown: "ScaledDown"
        case .servingStopped: "ServingStopped"
        case .rolloutStarted: "RolloutStarted"
        case .experimentConcluded: "ExperimentConcluded"
        case .stepAdvanced: "StepAdvanced"
        case .switched: "Switched"
        case .analysisFailed: "AnalysisFailed"
        case .analysisWindowRestarted: "AnalysisWindowRestarted"
        case .rolloutPaused: "RolloutPaused"
        case .promoted: "Promoted"
        case .superseded: "Superseded"
        case .rolloutAborted: "RolloutAborted"
        case .retryRequested: "RetryRequested"
        case .promoteRequested: "PromoteRequested"
        case .abortRequested: "AbortRequested"
        case .retrainTriggered: "RetrainTriggered"
        case .retrainBlocked: "RetrainBlocked"
        case .candidateReady: "CandidateReady"
        case .retrainRejected: "RetrainRejected"
        case .retrainFailed: "RetrainFailed"
        case .rollbackRequested: "RollbackRequested"
        case .rollbackRefused: "RollbackRefused"
        case .branchPushed: "BranchPushed"
        case .pullRequestOpened: "PullRequestOpened"
        case .pullRequestUpdated: "PullRequestUpdated"
        case .proposeFailed: "ProposeFailed"
        case .proposalRejected: "ProposalRejected"
        case .branchMerged: "BranchMerged"
        case .driftDetected: "DriftDetected"
        case .driftResolved: "DriftResolved"
        case .gatewayStarted: "GatewayStarted"
        case .gatewayRestarted: "GatewayRestarted"
        case .storeUnavailable: "StoreUnavailable"
        case .storeRecovered: "StoreRecovered"
        case .leaderElected: "LeaderElected"
        case .unknown(let reason): reason
        }
    }

    /// An action that failed on the machine: retried with backoff, not a stop.
    package static func failed(_ action: Action) -> EventReason {
        switch action {
        case .checkDataset: .checkFailed
        case .train: .trainFailed
        case .evaluate: .evaluateFailed
        case .package: .packageFailed
        case .serve: .serveFailed
        case .stopServing: .stopServingFailed
        case .rollout: .rolloutFailed
        case .retire: .retireFailed
        case .prune: .pruneFailed
        case .retrain: .retrainFailed
        case .propose: .proposeFailed
        }
    }

    /// A model stopped for a reason a person must fix.
    package init(_ stall: StallPhase) {
        self = switch stall {
        case .trainingFailed: .trainingFailed
        case .gateFailed: .gateFailed
        case .rolloutAborted: .rolloutAborted
        }
    }
}
