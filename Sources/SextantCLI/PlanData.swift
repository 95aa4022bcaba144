import Foundation
import SextantAPI
import SextantCore
import SextantGit
import SextantRuntime

/// The head's data, read as the reconciler reads it (a blob of the commit, or a local file
/// under a data root) and checked against the head's contracts by the reconciler's own
/// checker: what `sextant plan` predicts the check will find. Runs nothing from the
/// repository; data too large or not readable here is said to be unpredicted, never guessed.
struct PlanData {
    let repository: GitRepository
    /// The largest data file read (`--max-data-bytes`).
    let maxBytes: Int
    /// `--data-root` directories, absolute.
    let dataRoots: [String]

    /// A forecast for every dataset of the head.
    func forecasts(_ head: DesiredState) -> [String: DataForecast] {
        var forecasts: [String: DataForecast] = [:]
        for action in Planner.plan(desired: head, observed: ObservedState(), now: Date()).actions {
            guard case .checkDataset(let check) = action else { continue }
            let fromURI = head.manifests.datasets.first { $0.metadata.name == check.name }?.spec.source.uri != nil
            forecasts[check.name] = forecast(check, fromURI: fromURI)
        }
        return forecasts
    }

    private func forecast(_ check: DatasetCheck, fromURI: Bool) -> DataForecast {
        switch check.data {
        case .refused(let reason) where fromURI:
            // A CI machine has no --data-root; the reconciler's host may.
            return .unknown("\(reason); the reconciler reads uri: data on its host")
        case .refused(let reason):
            return .fails(sha256: nil, breaches: [DataBreach(message: "source: \(reason)")])
        case .commit(let path, let blob):
            let size: Int
            do throws(GitError) {
                size = try repository.blobSize(blob)
            } catch {
                return .unknown("cannot read \(path) from Git: \(error.message)")
            }
            if let problem = sizeProblem(path, size) { return .unknown(problem) }
            do throws(GitError) {
                return DatasetChecker.forecast(check, bytes: try repository.readBlob(blob))
            } catch {
                return .unknown("cannot read \(path) from Git: \(error.message)")
            }
        case .file(let path):
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let roots = dataRoots.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            guard roots.contains(where: { real.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
                return .unknown("\(path) leads to \(real), outside every --data-root")
            }
            guard let size = (try? FileManager.default.attributesOfItem(atPath: real))?[.size] as? Int,
                  FileManager.default.isReadableFile(atPath: real) else {
                return .unknown("cannot read \(path) on this machine; the reconciler reads it on its host")
            }
            if let problem = sizeProblem(path, size) { return .unknown(problem) }
            guard let bytes = FileManager.default.contents(atPath: real) else {
                return .unknown("cannot read \(path) on this machine; the reconciler reads it on its host")
            }
            return DatasetChecker.forecast(check, bytes: Array(bytes))
        }
    }

    private func sizeProblem(_ path: String, _ size: Int) -> String? {
        size <= maxBytes ? nil
            : "\(path) is \(size) bytes, more than --max-data-bytes \(maxBytes); the reconciler checks it when it applies the change"
    }
}
