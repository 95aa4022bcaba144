import ArgumentParser
import Foundation
import SextantAPI
import SextantCore
import SextantGit
import SextantRuntime
import SextantStore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A model's versions and revisions, with their lineage, metrics, gates, when they served and the CPU they used.",
        discussion: """
            A version is what was trained (one training fingerprint: data, contract,
            trainer, spec); a revision is a version served a certain way, evaluated on the
            holdout through that server (metrics with their 95% bootstrap interval;
            IMPORTANCE: the top three features by permutation importance, mean±std).
            CPU is the revision's servers' CPU time so far,
            with its cost per 1,000 predictions once it had some. Reads the state store;
            works while the daemon runs.

            Examples:
              sextant history fraud-detector
              sextant history fraud-detector -o json |
                  jq '.versions[-1].revisions[-1].metrics'
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(name: .shortAndLong, help: "table or json.")
    var output: HistoryOutput = .table

    @Option(help: ArgumentHelp("The state directory of the daemon or `reconcile --once`.", valueName: "dir"))
    var stateDir: String = ".sextant"

    func run() throws {
        let registries: [String: ModelRegistry]
        let resources: [RevisionKey: RevisionResources]
        let online: [OnlineRevision]
        do {
            let store = try SQLiteStore(readingFrom: stateDir)
            registries = try store.registries()
            resources = try store.resources()
            // The online metrics the last pass measured (status keeps them per revision).
            online = try store.status()?.objects.first { $0.kind == .model && $0.name == model }?.model?.online ?? []
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
        guard let registry = registries[model] else {
            let known = Array(registries.keys)
            throw CommandFailure(message: "no model \(model) in \(stateDir)" + (known.isEmpty ? " (nothing was trained yet)" : UnknownName.hint(model, known: known, listing: "sextant status")))
        }
        print(output == .json ? HistoryDocument(registry, resources: resources, online: online).json
                : HistoryDocument.table(registry, resources: resources, online: online), terminator: "")
    }
}

enum HistoryOutput: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// `history -o json` (DESIGN §4).
struct HistoryDocument: Encodable {
    struct Version: Encodable {
        var version: Int
        var fingerprint: String
        var commit: String
        var datasetSha256: String
        var contractSha256: String
        var trainer: String
        var artifactDigest: String?
        var createdAt: Date
        var revisions: [Revision]
    }
    struct Revision: Encodable {
        var revision: Int
        var servingFingerprint: String
        var commit: String
        var metrics: [String: Double]
        var gates: [Gate]
        var incumbent: Incumbent?
        var served: [Served]
        /// What it used while it ran, as last sampled; null if it never ran a replica (or
        /// the runtime cannot tell).
        var resources: ResourceStatus?
        /// Its online metrics as the last pass measured them (null while none of its rows is
        /// in the prediction log the daemon keeps).
        var online: OnlineRevision?
        /// Permutation importance (and mean |SHAP|) per feature (DESIGN §9); null when not
        /// computed (`explanationFailure` says why when it failed).
        var explanations: Explanations?
        var explanationFailure: String?
        /// 95% bootstrap intervals of the metrics; null in evaluations from before them.
        var intervals: MetricIntervals?
        /// The metrics per value of every sensitive feature; null likewise.
        var slices: [SliceMetrics]?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(revision, forKey: .revision)
            try container.encode(servingFingerprint, forKey: .servingFingerprint)
            try container.encode(commit, forKey: .commit)
            try container.encode(metrics, forKey: .metrics)
            try container.encode(gates, forKey: .gates)
            try container.encode(incumbent, forKey: .incumbent)
            try container.encode(served, forKey: .served)
            try container.encode(resources, forKey: .resources)
            try container.encode(online, forKey: .online)
            try container.encode(explanations, forKey: .explanations)
            try container.encode(explanationFailure, forKey: .explanationFailure)
            try container.encode(intervals, forKey: .intervals)
            try container.encode(slices, forKey: .slices)
        }
        enum CodingKeys: String, CodingKey {
            case revision, servingFingerprint, commit, metrics, gates, incumbent, served, resources, online
            case explanations, explanationFailure, intervals, slices
        }
    }
    struct Gate: Encodable {
        var metric: String
        var sensitiveFeature: String?
        var value: Double?
        var min: Double?
        var max: Double?
        var passed: Bool
    }
    struct Incumbent: Encodable {
        var revision: Int
        var metric: String
        var value: Double?
        var candidate: Double?
        var passed: Bool
    }
    struct Served: Encodable {
        var from: Date
        var until: Date?
        /// The largest share of traffic it took, in percent (below 100: a canary's).
        var peakWeight: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(from, forKey: .from)
            try container.encode(until, forKey: .until)  // null while it serves
            try container.encode(peakWeight, forKey: .peakWeight)
        }
        enum CodingKeys: String, CodingKey { case from, until, peakWeight }
    }

    var model: String
    var versions: [Version]

    init(_ registry: ModelRegistry, resources: [RevisionKey: RevisionResources], online: [OnlineRevision] = []) {
        model = registry.model
        versions = registry.versions.map { version in
            Version(version: version.number, fingerprint: version.fingerprint, commit: version.commit, datasetSha256: version.datasetSha256,
                    contractSha256: version.contractSha256, trainer: version.trainer, artifactDigest: version.artifactDigest,
                    createdAt: version.createdAt,
                    revisions: registry.revisions.filter { $0.version == version.number }.map { revision in
                        Revision(revision: revision.number, servingFingerprint: revision.servingFingerprint, commit: revision.commit,
                                 metrics: revision.evaluation?.metrics ?? [:],
                                 gates: (revision.evaluation?.gates ?? []).map {
                                     Gate(metric: $0.metric, sensitiveFeature: $0.sensitiveFeature, value: $0.value, min: $0.min, max: $0.max, passed: $0.passed)
                                 },
                                 incumbent: revision.evaluation?.incumbent.map {
                                     Incumbent(revision: $0.revision, metric: $0.metric, value: $0.value, candidate: $0.candidate, passed: $0.passed)
                                 },
                                 served: revision.served.map { Served(from: $0.from, until: $0.until, peakWeight: $0.peakWeight) },
                                 resources: resources[RevisionKey(registry.model, revision.number)]?.status,
                                 online: online.first { $0.revision == revision.number },
                                 explanations: revision.evaluation?.explanations, explanationFailure: revision.evaluation?.explanationFailure,
                                 intervals: revision.evaluation?.intervals, slices: revision.evaluation?.slices)
                    })
        }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }

    static func table(_ registry: ModelRegistry, resources: [RevisionKey: RevisionResources], online: [OnlineRevision] = []) -> String {
        var rows = [["VERSION", "REVISION", "COMMIT", "TRAINER", "ROWS", "GATES", "METRICS", "IMPORTANCE", "SERVED", "CPU", "ONLINE", "CREATED"]]
        for version in registry.versions {
            let revisions = registry.revisions.filter { $0.version == version.number }
            let base = ["v\(version.number)", "", String(version.commit.prefix(7)), version.trainer, "\(version.trainingRows)+\(version.holdoutRows)"]
            if revisions.isEmpty {
                rows.append(base + ["-", "-", "-", "-", "-", "-", version.createdAt.formatted(.iso8601)])
            }
            for revision in revisions {
                var row = base
                row[1] = "r\(revision.number)"
                let evaluation = revision.evaluation
                row.append(evaluation.map { $0.passed ? "passed" : "FAILED: " + $0.failures.joined(separator: "; ") } ?? "not evaluated")
                row.append((evaluation?.gates ?? []).map { gate in
                    let interval = gate.sensitiveFeature == nil ? evaluation?.intervals?.intervals[gate.metric].map(intervalText) ?? "" : ""
                    return "\(gate.metric) \(gate.value.map(formatMetric) ?? "n/a")\(interval)"
                }.joined(separator: ", "))
                row.append(evaluation.map(importanceText) ?? "-")
                row.append(revision.served.isEmpty ? "never" : revision.served.map(servedText).joined(separator: ", "))
                row.append(resources[RevisionKey(registry.model, revision.number)].map { ResourceText.cpu($0.status) } ?? "-")
                row.append(online.first { $0.revision == revision.number }.map(onlineText) ?? "-")
                row.append(revision.createdAt.formatted(.iso8601))
                rows.append(row)
            }
        }
        return "model \(registry.model): \(registry.versions.count) version\(registry.versions.count == 1 ? "" : "s"), \(registry.revisions.count) revision\(registry.revisions.count == 1 ? "" : "s")\n\n"
            + TextTable.lines(rows).joined(separator: "\n") + "\n"
    }

    /// ` [0.972, 0.989]`: a metric's 95% interval, after its value.
    static func intervalText(_ interval: MetricInterval) -> String {
        " [\(formatMetric(interval.lower)), \(formatMetric(interval.upper))]"
    }

    /// The top three features by permutation importance, `amount 0.212 ± 0.0247, …`; `-`
    /// when not computed, `failed` when it could not be.
    static func importanceText(_ evaluation: Evaluation) -> String {
        guard let explanations = evaluation.explanations else { return evaluation.explanationFailure == nil ? "-" : "failed" }
        return explanations.summary()
    }

    /// `accuracy 0.9620 of 500 labelled`: the first of accuracy, auc, rmse it has.
    static func onlineText(_ online: OnlineRevision) -> String {
        guard let (name, value) = ["accuracy", "auc", "rmse", "r2"].lazy.compactMap({ name in online.metrics[name].map { (name, $0) } }).first
        else { return "\(online.labelledRows) labelled" }
        return "\(name) \(String(format: "%.4f", value)) of \(online.labelledRows) labelled"
    }

    /// `since 2026-11-21T23:52:13Z`, or `2026-…Z…2026-…Z`; a canary's share adds its peak:
    /// `… (peak 50%)`.
    static func servedText(_ interval: ServedInterval) -> String {
        let span = interval.until.map { "\(interval.from.formatted(.iso8601))…\($0.formatted(.iso8601))" } ?? "since \(interval.from.formatted(.iso8601))"
        return interval.wasStable ? span : "\(span) (peak \(interval.peakWeight)%)"
    }
}

struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the gateway and every model server of a state directory (the data plane).",
        discussion: """
            The gateway and the servers Sextant starts are detached: they keep serving when the daemon or
            `reconcile --once` exits, so that restarting Sextant never drops traffic. `down`
            stops them on purpose: SIGTERM, then SIGKILL after a grace period. It refuses
            while a daemon holds the state directory (stop the daemon first). The next
            `reconcile --once` or `run` starts them again.

            Examples:
              sextant down
              sextant down --state-dir /var/lib/sextant
            """
    )

    @Option(help: ArgumentHelp("The state directory.", valueName: "dir"))
    var stateDir: String = ".sextant"

    func run() async throws {
        // A mistyped directory is not created (and so holds nothing to stop).
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: stateDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(message: "--state-dir \(stateDir): no such state directory; nothing was started from it")
        }
        let held: StateDirectory
        do throws(StoreError) {
            held = try StateDirectory(stateDir, holder: "sextant down")
        } catch {
            throw CommandFailure(message: error.message + "; `down` needs the state directory to itself")
        }
        let runtime = EmbeddedRuntime(blobs: NoBlobs(), stateDirectory: held.absolutePath)
        let stopped = await runtime.stopAll()
        do {
            try await held.store.forgetReplicas(at: Date(), actor: ProcessInfo.processInfo.environment["USER"].map { "user:\($0)" } ?? "user")
        } catch {
            throw CommandFailure(message: "stopped \(stopped) process\(stopped == 1 ? "" : "es") but cannot record it: \(error)")
        }
        withExtendedLifetime(held) {}
        print(stopped == 0 ? "nothing was running in \(stateDir)" : "stopped \(stopped) process\(stopped == 1 ? "" : "es") of \(stateDir)")
    }
}

/// `down` reads no repository.
private struct NoBlobs: BlobReader {
    func readBlob(_ id: String) async throws(SourceFailure) -> [UInt8] {
        throw SourceFailure("no repository")
    }
}
