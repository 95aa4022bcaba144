import Foundation
import SextantAPI

extension Change {
    /// Moves a rollout on. Traffic moves (the routing table is pushed) before any server
    /// stops, and a server stops once nothing is in flight to it.
    mutating func rollout(_ change: RolloutChange, revision: Int) {
        output = change.name
        guard var rollout = state.rollout, rollout.revision == revision else {
            output = "no rollout of r\(revision) in flight"
            return
        }
        if case .concludeExperiment(let report, let then) = change {
            // The numbers are kept (a restart does not decide again), then the decision acts.
            state.experiment = report
            event(.experimentConcluded, "experiment on \(report.kpi) concluded after \(ManifestDuration.describe(now.timeIntervalSince(report.startedAt).rounded())): "
                  + report.verdict + " → " + Self.consequence(then))
            self.rollout(then, revision: revision)
            output = change.name + ", " + then.name
            return
        }
        if rollout.phase == .switched {
            afterSwitch(change, rollout: rollout)
            return
        }
        let stable = state.stableRevision.map { "r\($0)" } ?? "stable"
        let scaleDownDelay = context.policy?.scaleDownDelay ?? 30
        switch change {
        case .advance(let step, let next, let window, let message):
            rollout.step = step
            rollout.window = window
            rollout.stepStartedAt = now
            rollout.suspended = nil
            rollout.promoteRequested = nil
            if next.phase == .switched {
                // blueGreen's switch: the preview becomes stable at once, the old stable stays warm.
                let previous = state.stableRevision
                if let previous {
                    state.retiring.append(RetiringRevision(revision: previous, replicas: state.replicas, until: now.addingTimeInterval(scaleDownDelay)))
                }
                rollout.previousRevision = previous
                rollout.phase = .switched
                rollout.weight = 100
                rollout.mirrorPercent = nil
                makeStable(revision, replicas: rollout.replicas)
                rollout.replicas = []
                state.rollout = rollout
                registry.moveAllTraffic(from: previous, to: revision, at: now)
                effects.append(.publishRoutes)
                event(change.eventReason, "\(message); \(stable) stays warm for \(Int(scaleDownDelay)) s and takes everything back if r\(revision) fails its analysis meanwhile")
            } else {
                rollout.phase = next.phase
                rollout.weight = next.weight
                rollout.mirrorPercent = next.mirrorPercent
                state.rollout = rollout
                registry.expose(revision, weight: next.weight, at: now)
                effects.append(.publishRoutes)
                event(change.eventReason, message)
            }
        case .restartWindow, .suspend:
            keepAnalysing(change, rollout: rollout)
        case .concludeExperiment:
            preconditionFailure("an experiment's conclusion is applied above")
        case .promote(let message):
            let previous = state.stableRevision
            if let previous, !state.replicas.isEmpty {
                state.retiring.append(RetiringRevision(revision: previous, replicas: state.replicas, until: now.addingTimeInterval(scaleDownDelay)))
            }
            makeStable(revision, replicas: rollout.replicas)
            state.rollout = nil
            registry.moveAllTraffic(from: previous, to: revision, at: now)
            effects.append(.publishRoutes)
            event(change.eventReason, "\(message); r\(revision) serves 100%" + (state.retiring.isEmpty ? "" : "; \(stable) stays warm for \(Int(scaleDownDelay)) s"))
        case .abort(let reason, let message):
            state.rollout = nil
            registry.withdraw(revision, at: now)
            effects += [.publishRoutes, .stopWhenDrained(revision: revision, rollout.replicas)]
            if reason != RolloutChange.superseded {
                state.stall = ModelStall(phase: .rolloutAborted, fingerprint: Planner.servingKey(revision), reason: reason, message: message, at: now)
            }
            event(change.eventReason, "\(message); all traffic back to \(stable)"
                  + (reason == RolloutChange.superseded ? "" : "; not retried until Git changes or `sextant retry \(name)`"))
        }
    }

    /// What a decided experiment does next, in words.
    private static func consequence(_ change: RolloutChange) -> String {
        switch change {
        case .promote: "promoted"
        case .suspend: "waiting for `sextant promote` or `sextant abort` (decision: report)"
        case .abort: "traffic back to stable"
        default: change.name
        }
    }

    /// A new sample window (a failed verdict, a new gateway instance) or a pause.
    private mutating func keepAnalysing(_ change: RolloutChange, rollout: Rollout) {
        var rollout = rollout
        switch change {
        case .restartWindow(let window, let failures, let message):
            let failed = failures > rollout.failures
            rollout.window = window
            rollout.failures = failures
            event(failed ? .analysisFailed : change.eventReason, message)
        case .suspend(let message):
            rollout.suspended = message
            event(change.eventReason, message)
        case .advance, .promote, .abort, .concludeExperiment:
            preconditionFailure("\(change.name) is not analysis")
        }
        state.rollout = rollout
    }

    /// blueGreen's guard after the switch: the switched revision is stable, the one before
    /// it warm among the retiring revisions.
    private mutating func afterSwitch(_ change: RolloutChange, rollout: Rollout) {
        let revision = rollout.revision
        let previous = rollout.previousRevision
        let warm = state.retiring.first { $0.revision == previous }
        switch change {
        case .advance, .promote:
            // The guard held: the old stable goes now.
            state.rollout = nil
            state.retiring.removeAll { $0.revision == previous }
            if let warm { effects.append(.stopReplicas(warm.replicas)) }
            event(.promoted, "\(change.message); r\(revision) stays"
                  + (warm.map { "; r\($0.revision) stopped (\($0.replicas.count) replica\($0.replicas.count == 1 ? "" : "s"))" } ?? ""))
        case .restartWindow, .suspend, .concludeExperiment:
            keepAnalysing(change, rollout: rollout)
        case .abort(let reason, let message) where reason == RolloutChange.superseded:
            state.rollout = nil
            event(change.eventReason, "\(message); r\(revision) stays stable" + (warm.map { ", r\($0.revision) warm until its scale-down" } ?? ""))
        case .abort(let reason, let message):
            // Switch back: the warm revision takes everything again, then the switched one stops.
            guard let previous else {
                state.rollout = nil
                event(change.eventReason, "\(message); no revision to switch back to: r\(revision) keeps serving")
                return
            }
            let switched = state.replicas
            makeStable(previous, replicas: warm?.replicas ?? [])
            state.retiring.removeAll { $0.revision == previous }
            state.rollout = nil
            state.stall = ModelStall(phase: .rolloutAborted, fingerprint: Planner.servingKey(revision), reason: reason, message: message, at: now)
            registry.moveAllTraffic(from: revision, to: previous, at: now)
            effects += [.publishRoutes, .stopWhenDrained(revision: revision, switched)]
            event(change.eventReason, "\(message); switched back: all traffic to r\(previous)"
                  + (warm == nil ? " (its servers start again)" : "") + "; not retried until Git changes or `sextant retry \(name)`")
        }
    }
}
