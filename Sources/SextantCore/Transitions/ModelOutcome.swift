import Foundation

/// What an action or the runtime reported about one model: the input of `ModelTransition`.
package enum ModelOutcome: Sendable, Hashable {
    /// Version `version` was trained, in `seconds`.
    case trained(TrainingJob, version: Int, TrainingOutput, seconds: Double)
    /// A revision was judged on the holdout through its serving path (passed or not).
    case evaluated(EvaluationJob, Evaluation)
    /// A version was written as a ModelPack artifact with this manifest digest.
    case packaged(PackageJob, digest: String)
    /// A serving job's new replicas are ready.
    case served(ServingJob, started: [Replica])
    /// The planner moved a rollout on.
    case rolloutChanged(revision: Int, RolloutChange)
    /// An old stable revision's `scaleDownDelay` ended.
    case retired(RetiringRevision)
    /// The model left Git: what served stops.
    case servingStopped([Replica])
    /// An action could not run or failed; `attempt` counts the tries of its fingerprint.
    case failed(Action, ActionError, attempt: Int)
    /// An action stopped because the daemon is stopping: nothing about the model changes,
    /// and the next daemon runs it again.
    case cancelled(Action)
    /// A person's decision (`sextant promote|abort|retry`).
    case decided(OperatorDecision, actor: String)
    /// A change to propose to Git was queued (`sextant rollback`, a retrained candidate).
    case proposalQueued(ProposedChange, actor: String)
    /// A proposal was written: its branch pushed, its pull request opened or updated.
    case proposed(ProposedChange, PullRequestRecord)
    /// The followed branch now contains a branch Sextant wrote.
    case branchMerged(PullRequestRecord, into: String)
    /// The monitor's dataset drift verdict changed (DESIGN §7 "Drift").
    case driftJudged(DriftReport)

    /// The action it ends (nil for a person's decision and a drift verdict).
    package func action(model: String) -> Action? {
        switch self {
        case .trained(let job, _, _, _): .train(job)
        case .evaluated(let job, _): .evaluate(job)
        case .packaged(let job, _): .package(job)
        case .served(let job, _): .serve(job)
        case .rolloutChanged(let revision, let change): .rollout(model: model, revision: revision, change: change)
        case .retired(let retiring): .retire(model: model, retiring)
        case .servingStopped(let replicas): .stopServing(model: model, replicas: replicas)
        case .failed(let action, _, _), .cancelled(let action): action
        case .proposed(let change, _): .propose(change)
        case .decided, .proposalQueued, .driftJudged, .branchMerged: nil
        }
    }
}

/// A side effect a transition asks for, performed in order after its state is recorded:
/// traffic moves (the routing table is pushed) before any server stops.
package enum ModelEffect: Sendable, Hashable {
    /// The routing table computed from what now serves goes to the gateway.
    case publishRoutes
    /// Servers that left the routing table stop once the gateway has nothing in flight to
    /// their revision (at most a grace period).
    case stopWhenDrained(revision: Int, [Replica])
    /// Servers that take no traffic stop now.
    case stopReplicas([Replica])
}

/// A decision a person queues for the reconciler (`sextant retry|promote|abort MODEL`).
package enum OperatorDecision: String, Sendable, Hashable {
    case retry, promote, abort
    /// `sextant rollback MODEL [--to vN]`: a Git change, not a traffic move.
    case rollback

    /// The reason of the event that records it.
    package var eventReason: EventReason {
        switch self {
        case .retry: .retryRequested
        case .promote: .promoteRequested
        case .abort: .abortRequested
        case .rollback: .rollbackRequested
        }
    }

    /// The journal's name for it.
    package var journalAction: String {
        switch self {
        case .retry: "Retry"
        case .promote, .abort, .rollback: eventReason.rawValue
        }
    }
}
