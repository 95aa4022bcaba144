import Foundation
import Logging
import SextantAPI
import SextantYAML

/// Fetching the followed branch and loading its commits: a commit that does not load or
/// validate is not applied, and the last good one keeps serving.
extension Reconciler {
    func fetch() async -> Result<SourceRevision, SourceFailure> {
        do throws(SourceFailure) {
            return .success(try await source.fetch())
        } catch {
            return .failure(error)
        }
    }

    func check(_ check: DatasetCheck, now: Date) async -> Result<DatasetResult, ActionError> {
        do throws(ActionError) {
            return .success(try await runtime.checkDataset(check, at: now))
        } catch {
            return .failure(error)
        }
    }

    func restore(_ now: Date) async throws {
        let stored = try await write("restoring state") { try await store.restore(at: now) }
        observed = stored.objects
        registries = stored.registries
        gateway = stored.gateway
        routes = stored.routes
        resources = stored.resources
        storedResources = stored.resources
        await runtime.reapOrphans(keeping: observed.values.flatMap { $0.model?.allReplicas ?? [] }, gateway: gateway)
        if let status = stored.status {
            previousStatus = Dictionary(status.objects.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            // What the last run knew of the branch, until this run's first fetch.
            revision = status.revision
            revision.branch = source.branch
        }
        if let applied = stored.appliedCommit {
            revision.appliedCommit = applied
            // The last good commit serves until a better one arrives; the mirror has it.
            do throws(SourceFailure) {
                let loaded = try await source.load(applied)
                if loaded.result.isValid {
                    desired = DesiredState(commit: applied, manifests: loaded.result.manifests, blobs: loaded.blobs, dataRoots: options.dataRoots)
                    loadedHead = applied
                } else {
                    // Validation changed since it was applied (a newer Sextant is stricter).
                    logger.error("applied commit no longer validates", metadata: [
                        "commit": "\(applied.prefix(7))", "error": "\(loaded.result.diagnostics.first.map(\.description) ?? "")",
                    ])
                }
            } catch {
                logger.error("cannot reload the applied commit", metadata: ["commit": "\(applied.prefix(7))", "error": "\(error.message)"])
            }
        }
        restored = true
    }

    func load(_ head: SourceRevision, now: Date) async throws {
        let loaded: LoadedCommit
        do throws(SourceFailure) {
            loaded = try await source.load(head.commit)
        } catch {
            // The tree could not be read: like an invalid commit, the last good one stays;
            // the load is tried again next pass (the failure may be passing).
            comparisonError = ComparisonError(commit: head.commit, reason: "LoadFailed", message: error.message, diagnostics: [error.message])
            try await write("recording commit \(head.commit.prefix(7))") {
                try await store.recordCommit(head, valid: false, diagnostics: [error.message], eventsIfNew: [
                    Event(time: clock.now(), kind: .repository, name: source.branch, reason: .commitRejected,
                          message: "\(head.commit.prefix(7)) \"\(head.subject)\" cannot be read: \(error.message)", commit: head.commit, actor: options.actor),
                ], at: now)
            }
            logger.error("commit cannot be read", metadata: ["commit": "\(head.commit.prefix(7))", "error": "\(error.message)"])
            return
        }
        let result = loaded.result
        let admission = Planner.admit(ManifestLoaderResultSummary(result), applied: desired?.manifests, allowEmpty: options.allowEmpty)
        let commit = head.commit
        switch admission {
        case .accept:
            let isNew = try await write("recording commit \(commit.prefix(7))") {
                try await store.recordCommit(head, valid: true, diagnostics: [], eventsIfNew: [], at: now)
            }
            let next = DesiredState(commit: commit, manifests: result.manifests, blobs: loaded.blobs, dataRoots: options.dataRoots, reusing: desired)
            let counts = result.manifests.countsByKind.map { "\($0.count) \($0.kind)" }.joined(separator: ", ")
            var events: [Event] = []
            if isNew || desired?.commit != commit {
                events.append(Event(time: clock.now(), kind: .repository, name: source.branch, reason: .commitApplied,
                                    message: "applied \(commit.prefix(7)) \"\(head.subject)\": \(counts.isEmpty ? "no objects" : counts)",
                                    commit: commit, actor: options.actor))
            }
            let objects = result.manifests.all.map {
                AppliedObject(key: ObjectKey($0.kind, $0.name), file: $0.file, line: $0.mark.line)
            }
            try await write("applying commit \(commit.prefix(7))") { try await store.apply(commit: commit, objects: objects, events: events, at: now) }
            logger.info("commit applied", metadata: ["commit": "\(commit.prefix(7))", "subject": "\(head.subject)", "objects": "\(counts)"])
            desired = next
            comparisonError = nil
            try await recordMergedBranches(in: commit)
        case .invalid(let diagnostics):
            let lines = diagnostics.map(\.description)
            let first = lines.first ?? "invalid"
            let message = lines.count > 1 ? "\(first) (and \(lines.count - 1) more)" : first
            comparisonError = ComparisonError(commit: commit, reason: "InvalidManifests", message: message, diagnostics: lines)
            try await write("recording commit \(commit.prefix(7))") {
                try await store.recordCommit(head, valid: false, diagnostics: lines, eventsIfNew: [
                    Event(time: clock.now(), kind: .repository, name: source.branch, reason: .commitRejected,
                          message: "\(commit.prefix(7)) \"\(head.subject)\" is not applied: \(message)", commit: commit, actor: options.actor),
                ], at: now)
            }
            logger.error("commit not applied", metadata: ["commit": "\(commit.prefix(7))", "reason": "InvalidManifests", "error": "\(message)"])
        case .wouldPruneEveryModel(let models):
            let message = "it removes every Model (\(models.joined(separator: ", "))); if that is intended, run with --allow-empty"
            comparisonError = ComparisonError(commit: commit, reason: "PruneRefused", message: message, diagnostics: [message])
            try await write("recording commit \(commit.prefix(7))") {
                try await store.recordCommit(head, valid: true, diagnostics: [message], eventsIfNew: [
                    Event(time: clock.now(), kind: .repository, name: source.branch, reason: .pruneRefused,
                          message: "\(commit.prefix(7)) is not applied: \(message)", commit: commit, actor: options.actor),
                ], at: now)
            }
            logger.error("commit not applied", metadata: ["commit": "\(commit.prefix(7))", "reason": "PruneRefused", "error": "\(message)"])
        }
        loadedHead = commit
    }

    /// The branches Sextant wrote that the applied commit now contains: their pull requests
    /// were merged (or the branch was merged by hand), whatever the forge says later.
    func recordMergedBranches(in commit: String) async throws {
        for (key, object) in observed.sorted(by: { $0.key.name < $1.key.name }) where key.kind == .model {
            for record in object.model?.pullRequests ?? [] where record.state == .open || record.state == .pushed {
                guard await source.contains(record.headCommit, in: commit) else { continue }
                let now = clock.now()
                let id = try await journal(JournalEntry(action: "BranchMerged", key: key, fingerprint: Fingerprint.of("merged/1", [record.branch, record.headCommit]),
                                                        attempt: 1, commit: commit, input: "{}", startedAt: now))
                _ = try await fold(.branchMerged(record, into: commit), key: key, journal: id, journalAction: "BranchMerged",
                                   commit: commit, actor: options.actor)
            }
        }
    }
}
