import ArgumentParser
import Foundation
import SextantAPI
import SextantCore
import SextantGit
import SextantSource
import SextantStore

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "What a change would do: per object, the fields that change and their consequences.",
        discussion: """
            With --base and --head (a pull request): the desired state at head against
            the desired state at base, as if base had been reconciled. Without them: the
            desired state at --head (default HEAD) against what the reconciler in
            --state-dir has applied and observed. Consequences come from the
            reconciler's own planner: which datasets will be checked and why, what is
            pruned, and which contract changes are breaking (a removed column, a
            narrowed type or range, a new required column or rule). The head's data is
            checked against the head's contracts, as the reconciler will check it, so
            the plan says the real outcome: a dataset that will be blocked (DataInvalid,
            with the rules and row counts), a model that will not retrain because of it.
            Each model shows what serves now (from the store in --state-dir, when there
            is one), each changed manifest its unified diff. Reads Git objects and data
            files only: it never runs code from the repository.

            Exit status (as `argocd app diff`): 0 no change, 1 changes, 2 error
            (including a head that does not validate, whose problems are printed).

            Examples:
              sextant plan --repo . --base origin/main --head HEAD \\
                  --path examples/quickstart -o markdown > plan.md
              sextant plan --path examples/quickstart --state-dir .sextant
              sextant plan --base main --head HEAD --path examples/quickstart -o json
            """
    )

    @Option(help: ArgumentHelp("A local Git repository (work tree or bare).", valueName: "path"))
    var repo: String = "."

    @Option(help: ArgumentHelp("The base ref of a pull request. Without it, the base is what --state-dir applied.", valueName: "ref"))
    var base: String?

    @Option(help: ArgumentHelp("The ref whose desired state is planned.", valueName: "ref"))
    var head: String = "HEAD"

    @Option(help: ArgumentHelp("The watched root inside the repository.", valueName: "dir"))
    var path: String = ""

    @Option(help: ArgumentHelp("The reconciler's state directory: the base without --base, and what serves now.", valueName: "dir"))
    var stateDir: String = ".sextant"

    @Option(help: ArgumentHelp("The largest data file checked against its contract; larger ones are reported as not predicted.", valueName: "bytes"))
    var maxDataBytes: Int = 256 << 20

    @Option(help: ArgumentHelp("Whether removed objects are pruned, as the daemon's --prune.", valueName: "bool"))
    var prune: Bool = true

    @Option(help: ArgumentHelp("Directories uri: data sources may read, as the daemon's --data-root (repeatable).", valueName: "dir"))
    var dataRoot: [String] = []

    @Option(name: .shortAndLong, help: "text, markdown (for a pull-request comment) or json.")
    var output: PlanOutput = .text

    @OptionGroup var classified: ClassifiedOptions

    /// `sextant plan -o markdown` of a branch Sextant wrote, for its pull request's body
    /// (DESIGN §8): the daemon's mirror, the base and head commits, what the store says serves.
    static func markdown(mirror: String, root: String, base: String, head: String, stateDir: String, dataRoots: [String],
                         classified: ClassifiedLevels) -> String? {
        var arguments = ["--repo", mirror, "--base", base, "--head", head, "--state-dir", stateDir, "-o", "markdown", "--classified", classified.description]
        if !root.isEmpty { arguments += ["--path", root] }
        for root in dataRoots { arguments += ["--data-root", root] }
        guard let command = try? PlanCommand.parse(arguments), let review = try? command.makeReview() else { return nil }
        return PlanRenderer.markdown(review)
    }

    func run() throws {
        let review = try makeReview()
        print(PlanRenderer.render(review, as: output), terminator: "")
        if !review.isValid { throw ExitCode(2) }
        throw ExitCode(review.hasChanges ? 1 : 0)
    }

    func makeReview() throws -> ChangeReview {
        let repository = try open(repo)
        let headCommit = try resolve(head, in: repository)
        let roots = dataRoot.map(ReconcileCommand.absolute)
        let headLoaded = try load(headCommit, from: repository)
        let baseCommit = try base.map { try resolve($0, in: repository) }
        var review = ChangeReview(base: .init(label: base ?? "applied", commit: baseCommit), head: .init(label: head, commit: headCommit))
        guard headLoaded.result.isValid else {
            review.errors = headLoaded.result.diagnostics.map(\.description)
            return review
        }
        let desired = DesiredState(commit: headCommit, manifests: headLoaded.result.manifests, blobs: headLoaded.blobs, dataRoots: roots)
        let baseState: DesiredState?
        var observed: ObservedState?
        var baseSource: (GitRepository, String)?
        let store: SQLiteStore?
        if let baseCommit {
            let loaded = try load(baseCommit, from: repository)
            baseState = loaded.result.isValid
                ? DesiredState(commit: baseCommit, manifests: loaded.result.manifests, blobs: loaded.blobs, dataRoots: roots) : nil
            baseSource = (repository, baseCommit)
            // A pull request is planned anywhere; a store, when there is one, says what serves.
            store = try? SQLiteStore(readingFrom: stateDir)
        } else {
            let snapshot: StoredObservations
            do {
                store = try SQLiteStore(readingFrom: stateDir)
                snapshot = try store!.observed()
            } catch let error as StoreError {
                throw CommandFailure(message: error.message + "; or compare two refs with --base REF --head REF")
            }
            observed = ObservedState(objects: snapshot.objects, registries: snapshot.registries)
            if let applied = snapshot.appliedCommit {
                review.base.commit = applied
                // The applied commit is in the repository, or at least in the daemon's mirror.
                let holder = (try? repository.commitInfo(applied)) != nil ? repository : try open(stateDir + "/source.git")
                let loaded = try load(applied, from: holder)
                baseState = DesiredState(commit: applied, manifests: loaded.result.manifests, blobs: loaded.blobs, dataRoots: roots)
                baseSource = (holder, applied)
            } else {
                baseState = nil
            }
        }
        let data = PlanData(repository: repository, maxBytes: maxDataBytes, dataRoots: roots).forecasts(desired)
        review.objects = ChangeReview.compare(base: baseState, head: desired, observed: observed, prune: prune, now: Date(),
                                              data: data, serving: store.flatMap(Self.serving))
        PlanDiffs.attach(to: &review.objects, base: baseSource, head: (repository, headCommit))
        return review
    }

    /// Each model's traffic as the store's status has it (empty: nothing serves); nil when
    /// the store has no status.
    private static func serving(_ store: SQLiteStore) -> [String: [TrafficEntry]]? {
        guard let document = try? store.status() else { return nil }
        var traffic: [String: [TrafficEntry]] = [:]
        for object in document.objects where object.kind == .model {
            traffic[object.name] = object.model?.traffic ?? []
        }
        return traffic
    }

    private func open(_ path: String) throws -> GitRepository {
        do throws(GitError) {
            return try GitRepository(path: path)
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    private func resolve(_ ref: String, in repository: GitRepository) throws -> String {
        do throws(GitError) {
            return try repository.resolve(ref)
        } catch {
            throw CommandFailure(message: error.description + (error.isNotFound ? " (fetch it first, e.g. git fetch origin \(ref))" : ""))
        }
    }

    private func load(_ commit: String, from repository: GitRepository) throws -> LoadedCommit {
        do throws(GitError) {
            return try repository.loadCommit(commit, root: path, loader: ManifestLoader(classified: classified.levels))
        } catch {
            throw CommandFailure(message: error.description)
        }
    }
}

enum PlanOutput: String, ExpressibleByArgument, CaseIterable {
    case text, markdown, json
}
