package import Foundation

/// A model's versions and revisions with their lineage (DESIGN §4): what `history -o json`
/// prints and `GET /api/v1/models/{name}/history` answers. Beyond the design's keys it
/// carries what the table shows (rows, verdicts, creation times), so `history --server`
/// prints the same table as `history --state-dir`.
package struct HistoryDocument: Sendable, Hashable, Codable {
    package struct Version: Sendable, Hashable, Codable {
        package var version: Int
        package var fingerprint: String
        package var commit: String
        package var datasetSha256: String
        package var contractSha256: String
        package var trainer: String
        package var artifactDigest: String?
        package var trainingRows: Int
        package var holdoutRows: Int
        package var createdAt: Date
        package var revisions: [Revision]

        /// `artifactDigest` is null until the version is packaged.
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(version, forKey: .version)
            try container.encode(fingerprint, forKey: .fingerprint)
            try container.encode(commit, forKey: .commit)
            try container.encode(datasetSha256, forKey: .datasetSha256)
            try container.encode(contractSha256, forKey: .contractSha256)
            try container.encode(trainer, forKey: .trainer)
            try container.encode(artifactDigest, forKey: .artifactDigest)
            try container.encode(trainingRows, forKey: .trainingRows)
            try container.encode(holdoutRows, forKey: .holdoutRows)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(revisions, forKey: .revisions)
        }
    }

    package struct Revision: Sendable, Hashable, Codable {
        package var revision: Int
        package var servingFingerprint: String
        package var commit: String
        package var metrics: [String: Double]
        package var gates: [GateResult]
        package var incumbent: IncumbentResult?
        /// Whether its evaluation passed; null while it was not evaluated.
        package var passed: Bool?
        /// Each reason it failed (`auc 0.81 < min 0.90`); empty when it passed.
        package var failures: [String]
        package var served: [Served]
        /// What it used while it ran, as last sampled; null if it never ran a replica (or
        /// the runtime cannot tell).
        package var resources: ResourceStatus?
        /// Its online metrics as the last pass measured them (null while none of its rows is
        /// in the prediction log the daemon keeps).
        package var online: OnlineRevision?
        /// Permutation importance (and mean |SHAP|) per feature (DESIGN §9); null when not
        /// computed (`explanationFailure` says why when it failed).
        package var explanations: Explanations?
        package var explanationFailure: String?
        /// 95% bootstrap intervals of the metrics; null in evaluations from before them.
        package var intervals: MetricIntervals?
        /// The metrics per value of every sensitive feature; null likewise.
        package var slices: [SliceMetrics]?
        package var createdAt: Date

        /// Every key, null ones included: readers see the whole shape.
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(revision, forKey: .revision)
            try container.encode(servingFingerprint, forKey: .servingFingerprint)
            try container.encode(commit, forKey: .commit)
            try container.encode(metrics, forKey: .metrics)
            try container.encode(gates, forKey: .gates)
            try container.encode(incumbent, forKey: .incumbent)
            try container.encode(passed, forKey: .passed)
            try container.encode(failures, forKey: .failures)
            try container.encode(served, forKey: .served)
            try container.encode(resources, forKey: .resources)
            try container.encode(online, forKey: .online)
            try container.encode(explanations, forKey: .explanations)
            try container.encode(explanationFailure, forKey: .explanationFailure)
            try container.encode(intervals, forKey: .intervals)
            try container.encode(slices, forKey: .slices)
            try container.encode(createdAt, forKey: .createdAt)
        }
    }

    package struct Served: Sendable, Hashable, Codable {
        package var from: Date
        package var until: Date?
        /// The largest share of traffic it took, in percent (below 100: a canary's).
        package var peakWeight: Int

        package var wasStable: Bool { peakWeight >= 100 }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(from, forKey: .from)
            try container.encode(until, forKey: .until)  // null while it serves
            try container.encode(peakWeight, forKey: .peakWeight)
        }
    }

    package var model: String
    package var versions: [Version]

    /// `no model NAME in WHERE (nothing was trained yet)`, or with the nearest trained name.
    package static func unknownModel(_ model: String, known: [String], in place: String, listing: String) -> String {
        "no model \(model) in \(place)" + (known.isEmpty ? " (nothing was trained yet)" : UnknownName.hint(model, known: known, listing: listing))
    }

    package var revisionCount: Int { versions.reduce(0) { $0 + $1.revisions.count } }

    /// The registry's lineage, each revision with its resource use and the online metrics
    /// the last pass measured (status keeps them per revision).
    package init(_ registry: ModelRegistry, resources: [RevisionKey: RevisionResources], online: [OnlineRevision] = []) {
        model = registry.model
        versions = registry.versions.map { version in
            Version(version: version.number, fingerprint: version.fingerprint, commit: version.commit, datasetSha256: version.datasetSha256,
                    contractSha256: version.contractSha256, trainer: version.trainer, artifactDigest: version.artifactDigest,
                    trainingRows: version.trainingRows, holdoutRows: version.holdoutRows, createdAt: version.createdAt,
                    revisions: registry.revisions.filter { $0.version == version.number }.map { revision in
                        let evaluation = revision.evaluation
                        return Revision(revision: revision.number, servingFingerprint: revision.servingFingerprint, commit: revision.commit,
                                        metrics: evaluation?.metrics ?? [:],
                                        gates: evaluation?.gates ?? [], incumbent: evaluation?.incumbent,
                                        passed: evaluation?.passed, failures: evaluation?.failures ?? [],
                                        served: revision.served.map { Served(from: $0.from, until: $0.until, peakWeight: $0.peakWeight) },
                                        resources: resources[RevisionKey(registry.model, revision.number)]?.status,
                                        online: online.first { $0.revision == revision.number },
                                        explanations: evaluation?.explanations, explanationFailure: evaluation?.explanationFailure,
                                        intervals: evaluation?.intervals, slices: evaluation?.slices, createdAt: revision.createdAt)
                    })
        }
    }
}
