import ArgumentParser
import Foundation
import SextantAPI
import SextantCore
import SextantStore

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A model's versions and revisions, with their lineage, metrics, gates, when they served and the CPU they used.",
        discussion: """
            A version is what was trained (one training fingerprint: data, contract,
            trainer, spec); a revision is a version served a certain way, evaluated on the
            holdout through that server (metrics with their 95% bootstrap interval;
            IMPORTANCE: the top three features by permutation importance, mean±std).
            CPU is the revision's servers' CPU time so far,
            with its cost per 1,000 predictions once it had some. Reads --state-dir (works
            while the daemon runs) or a daemon's API (--server, GET
            /api/v1/models/MODEL/history), like `status`; a replica on PostgreSQL is read
            through --server.

            Examples:
              sextant history fraud-detector
              sextant history fraud-detector --server http://127.0.0.1:7070
              sextant history fraud-detector -o json |
                  jq '.versions[-1].revisions[-1].metrics'
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(name: .shortAndLong, help: "table or json.")
    var output: HistoryOutput = .table

    @OptionGroup var source: StatusSource

    func run() async throws {
        let document = try await read()
        switch output {
        case .json: print(HistoryRenderer.json(document), terminator: "")
        case .table: print(HistoryRenderer.table(document), terminator: "")
        }
    }

    private func read() async throws -> HistoryDocument {
        if let server = source.server {
            return try await DaemonRead.get(HistoryDocument.self, server: server, path: "/api/v1/models/\(model)/history", what: "a model's history")
        }
        let directory = source.stateDir ?? ".sextant"
        let registries: [String: ModelRegistry]
        let resources: [RevisionKey: RevisionResources]
        let online: [OnlineRevision]
        do {
            let store = try SQLiteStore(readingFrom: directory)
            registries = try store.registries()
            resources = try store.resources()
            online = try store.status()?.objects.first { $0.kind == .model && $0.name == model }?.model?.online ?? []
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
        guard let registry = registries[model] else {
            throw CommandFailure(message: HistoryDocument.unknownModel(model, known: Array(registries.keys), in: directory, listing: "sextant status"))
        }
        return HistoryDocument(registry, resources: resources, online: online)
    }
}

enum HistoryOutput: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// `history`'s table and JSON.
enum HistoryRenderer {
    static func json(_ document: HistoryDocument) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try! encoder.encode(document), as: UTF8.self) + "\n"
    }

    static func table(_ document: HistoryDocument) -> String {
        var rows = [["VERSION", "REVISION", "COMMIT", "TRAINER", "ROWS", "GATES", "METRICS", "IMPORTANCE", "SERVED", "CPU", "ONLINE", "CREATED"]]
        for version in document.versions {
            let base = ["v\(version.version)", "", String(version.commit.prefix(7)), version.trainer, "\(version.trainingRows)+\(version.holdoutRows)"]
            if version.revisions.isEmpty {
                rows.append(base + ["-", "-", "-", "-", "-", "-", version.createdAt.formatted(.iso8601)])
            }
            for revision in version.revisions {
                var row = base
                row[1] = "r\(revision.revision)"
                row.append(revision.passed.map { $0 ? "passed" : "FAILED: " + revision.failures.joined(separator: "; ") } ?? "not evaluated")
                row.append(revision.gates.map { gate in
                    let interval = gate.sensitiveFeature == nil ? revision.intervals?.intervals[gate.metric].map(intervalText) ?? "" : ""
                    return "\(gate.metric) \(gate.value.map(formatMetric) ?? "n/a")\(interval)"
                }.joined(separator: ", "))
                row.append(importanceText(revision))
                row.append(revision.served.isEmpty ? "never" : revision.served.map(servedText).joined(separator: ", "))
                row.append(revision.resources.map(ResourceText.cpu) ?? "-")
                row.append(revision.online.map(onlineText) ?? "-")
                row.append(revision.createdAt.formatted(.iso8601))
                rows.append(row)
            }
        }
        let versions = document.versions.count, revisions = document.revisionCount
        return "model \(document.model): \(versions) version\(versions == 1 ? "" : "s"), \(revisions) revision\(revisions == 1 ? "" : "s")\n\n"
            + TextTable.lines(rows).joined(separator: "\n") + "\n"
    }

    /// ` [0.972, 0.989]`: a metric's 95% interval, after its value.
    static func intervalText(_ interval: MetricInterval) -> String {
        " [\(formatMetric(interval.lower)), \(formatMetric(interval.upper))]"
    }

    /// The top three features by permutation importance, `amount 0.212 ± 0.0247, …`; `-`
    /// when not computed, `failed` when it could not be.
    static func importanceText(_ revision: HistoryDocument.Revision) -> String {
        guard let explanations = revision.explanations else { return revision.explanationFailure == nil ? "-" : "failed" }
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
    static func servedText(_ interval: HistoryDocument.Served) -> String {
        let span = interval.until.map { "\(interval.from.formatted(.iso8601))…\($0.formatted(.iso8601))" } ?? "since \(interval.from.formatted(.iso8601))"
        return interval.wasStable ? span : "\(span) (peak \(interval.peakWeight)%)"
    }
}
