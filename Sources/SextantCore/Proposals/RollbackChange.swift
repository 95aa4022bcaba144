package import Foundation
package import SextantAPI

/// `sextant rollback MODEL [--to vN]` (DESIGN §8 "Rollback in Git"): the Model's training
/// and serving fields and its dataset's source and pin as they were at the commit that
/// produced the revision brought back, proposed on `sextant/rollback/MODEL`. Merged, the
/// training fingerprint is the earlier version's again (no training) and, within the
/// policy's rollback window, the switch skips the steps.
package enum RollbackChange {
    /// The spec fields of a Model that decide its training and serving fingerprints.
    static let modelFields = ["spec.task", "spec.target", "spec.features", "spec.training", "spec.evaluation", "spec.serving"]

    /// The change, or why there is none (a message naming what to do).
    /// - Parameters:
    ///   - version: the version to bring back; nil: the one of the previous stable revision.
    ///   - root: the watched root inside the repository ("" for the whole repository).
    package static func make(model: String, to version: Int?, desired: DesiredState, registry: ModelRegistry, stable: Int?,
                             root: String, actor: String, now: Date) -> Result<ProposedChange, RollbackRefusal> {
        guard let manifest = desired.manifests.loaded(kind: .model, name: model) else {
            return .failure(RollbackRefusal("no model \(model) at \(desired.commit.prefix(7))"))
        }
        let current = stable.flatMap(registry.revision)
        let target: ModelRevision
        if let version {
            guard registry.version(version) != nil else {
                let known = registry.versions.map { "v\($0.number)" }.joined(separator: ", ")
                return .failure(RollbackRefusal("\(model) has no v\(version)" + (known.isEmpty ? "" : "; it has \(known) (`sextant history \(model)`)")))
            }
            if let current, current.version == version {
                return .failure(RollbackRefusal("v\(version) already serves (r\(current.number)); nothing to roll back"))
            }
            let candidates = registry.revisions.filter { $0.version == version }
            guard let revision = candidates.filter(\.wasStable).max(by: { lastServed($0) < lastServed($1) }) ?? candidates.max(by: { $0.number < $1.number }) else {
                return .failure(RollbackRefusal("v\(version) of \(model) never had a revision evaluated; nothing to bring back"))
            }
            target = revision
        } else {
            let earlier = registry.revisions.filter { $0.wasStable && $0.number != stable }
            guard let revision = earlier.max(by: { lastServed($0) < lastServed($1) }) else {
                return .failure(RollbackRefusal("\(model) has no earlier stable revision; name one with --to vN (`sextant history \(model)`)"))
            }
            target = revision
        }
        return .success(change(model: model, bringingBack: target, file: manifest.file, desired: desired, current: current, root: root,
                               why: "Requested by \(actor) with `sextant rollback \(model)\(version.map { " --to v\($0)" } ?? "")`.", now: now))
    }

    /// After an automatic abort with `rollback.gitRevert: pullRequest`: Git back to what
    /// serves (the stable revision), so that it is true again.
    package static func revert(model: String, aborted: String, desired: DesiredState, registry: ModelRegistry, stable: Int?,
                               root: String, now: Date) -> ProposedChange? {
        guard let manifest = desired.manifests.loaded(kind: .model, name: model), let current = stable.flatMap(registry.revision) else { return nil }
        return change(model: model, bringingBack: current, file: manifest.file, desired: desired, current: current, root: root,
                      why: "The rollout policy asks for it (`rollback.gitRevert: pullRequest`) after an automatic abort: \(aborted)", now: now)
    }

    static func change(model: String, bringingBack target: ModelRevision, file: String, desired: DesiredState, current: ModelRevision?,
                       root: String, why: String, now: Date) -> ProposedChange {
        let commit = target.commit
        var edits = modelFields.map { FileEdit.restoreNode(file: file, field: $0, commit: commit) }
        if let datasetName = desired.manifests.model(named: model)?.spec.dataset,
           let dataset = desired.manifests.loaded(kind: .dataset, name: datasetName) {
            edits += [.restoreNode(file: dataset.file, field: "spec.source", commit: commit),
                      .restoreNode(file: dataset.file, field: "spec.sha256", commit: commit)]
            if let path = desired.manifests.dataset(named: datasetName)?.spec.source.path {
                edits.append(.restoreFile(file: root.isEmpty ? path : "\(root)/\(path)", commit: commit))
            }
        }
        let from = current.map { "r\($0.number) (v\($0.version))" } ?? "nothing"
        let title = "Roll \(model) back to v\(target.version) (r\(target.number))"
        var body = """
            ## Roll `\(model)` back to v\(target.version)

            \(why) Serving now: \(from).

            This branch sets the Model's training and serving fields, and its dataset's source and pin, \
            as they were at \(commit.prefix(7)), the commit that produced r\(target.number). Merged, \
            v\(target.version) is not trained again (same training fingerprint) and, within the rollout \
            policy's `rollback.window`, it takes the traffic without steps.

            | file | restored |
            |---|---|

            """
        for edit in edits {
            switch edit {
            case .restoreNode(let file, let field, _): body += "| `\(file)` | `\(field)` |\n"
            case .restoreFile(let file, _): body += "| `\(file)` | the whole file |\n"
            case .setScalar, .writeFile: break
            }
        }
        if let evaluation = target.evaluation {
            let shown = evaluation.metrics.keys.sorted().map { "\($0) \(formatMetric(evaluation.metrics[$0]!))" }.joined(separator: ", ")
            body += "\nr\(target.number) was evaluated on its holdout: \(shown).\n"
        }
        return ProposedChange(purpose: .rollback, model: model, baseCommit: desired.commit, title: title, body: body, edits: edits, requestedAt: now)
    }

    static func lastServed(_ revision: ModelRevision) -> Date {
        revision.served.filter(\.wasStable).map { $0.until ?? .distantFuture }.max() ?? .distantPast
    }
}

/// Why a rollback cannot be proposed.
package struct RollbackRefusal: Error, Sendable, Hashable {
    package var message: String
    init(_ message: String) { self.message = message }
}

extension ManifestSet {
    /// The loaded manifest of a kind and name (its file, its document).
    package func loaded(kind: ManifestKind, name: String) -> LoadedManifest? {
        all.first { $0.kind == kind && $0.name == name }
    }
}
