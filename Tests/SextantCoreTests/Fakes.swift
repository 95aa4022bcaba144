import Foundation
import Synchronization
import SextantAPI
import SextantCore

/// A clock the test moves.
final class ManualClock: WallClock {
    private let current = Mutex(Date(timeIntervalSince1970: 1_000_000))
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 += seconds } }
}

/// One commit whose manifests are given as files; `head` can change.
final class FakeSource: GitSource {
    let branch = "main"
    private let commits = Mutex<[String: [String: String]]>([:])
    private let headCommit = Mutex("")
    let fetches = Atomic<Int>(0)

    func push(_ commit: String, _ files: [String: String]) {
        commits.withLock { $0[commit] = files }
        headCommit.withLock { $0 = commit }
    }

    func fetch() async throws(SourceFailure) -> SourceRevision {
        fetches.add(1, ordering: .relaxed)
        return SourceRevision(commit: headCommit.withLock { $0 }, subject: "test", authorTime: Date(timeIntervalSince1970: 0))
    }

    func load(_ commit: String) async throws(SourceFailure) -> LoadedCommit {
        guard let files = commits.withLock({ $0[commit] }) else { throw SourceFailure("no commit \(commit)") }
        do {
            let result = try Manifests.load(files)
            return LoadedCommit(result: result, blobs: ["data/tx.csv": "blob-" + commit])
        } catch {
            throw SourceFailure("\(error)")
        }
    }
}

/// A runtime whose dataset checks fail while `failing` is set.
final class FakeRuntime: Runtime {
    let failing = Atomic<Bool>(false)
    let checks = Atomic<Int>(0)

    func observeFiles(_ paths: [String]) async -> [String: DataFileObservation] { [:] }

    func checkDataset(_ check: DatasetCheck, at now: Date) async throws(ActionError) -> DatasetResult {
        checks.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw ActionError("disk on fire") }
        return DatasetResult(verdict: .validated, sha256: "abc", rows: 1, contract: check.contract, checks: 1, violations: [],
                             commit: check.commit, checkedAt: now)
    }
}

/// The store in memory, with the journal and events kept for inspection.
final class MemoryStore: StateStore {
    struct Data {
        var applied: String?
        var objects: [ObjectKey: ObservedObject] = [:]
        var status: StatusDocument?
        var journal: [(entry: JournalEntry, outcome: JournalOutcome?)] = []
        var events: [Event] = []
        var commits: Set<String> = []
    }

    let data = Mutex(Data())

    func restore(at now: Date) async throws -> StoredState {
        data.withLock { StoredState(appliedCommit: $0.applied, objects: $0.objects, status: $0.status) }
    }

    func recordFetch(_ revision: SourceRevision, branch: String, at now: Date) async throws {}
    func recordFetchFailure(_ message: String, branch: String, at now: Date) async throws {}

    func recordCommit(_ revision: SourceRevision, valid: Bool, diagnostics: [String], eventsIfNew: [Event], at now: Date) async throws -> Bool {
        data.withLock {
            let isNew = $0.commits.insert(revision.commit).inserted
            if isNew { $0.events += eventsIfNew }
            return isNew
        }
    }

    func apply(commit: String, objects: [AppliedObject], events: [Event], at now: Date) async throws {
        data.withLock {
            $0.applied = commit
            $0.events += events
        }
    }

    func startAction(_ entry: JournalEntry) async throws -> Int64 {
        data.withLock {
            $0.journal.append((entry, nil))
            return Int64($0.journal.count)
        }
    }

    func finishAction(_ id: Int64, _ outcome: JournalOutcome, update: ObjectUpdate, events: [Event]) async throws {
        data.withLock {
            $0.journal[Int(id) - 1].outcome = outcome
            switch update {
            case .upsert(let object): $0.objects[object.key] = object
            case .delete(let key): $0.objects[key] = nil
            }
            $0.events += events
        }
    }

    func record(_ events: [Event]) async throws {
        data.withLock { $0.events += events }
    }

    func saveStatus(_ document: StatusDocument, changed: [ObjectStatus], removed: [ObjectKey]) async throws {
        data.withLock { $0.status = document }
    }
}
