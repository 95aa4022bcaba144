import Foundation
import SextantAPI
import SextantCore
import SextantYAML

/// Status as a table, JSON (DESIGN §3) or YAML.
enum StatusRenderer {
    /// - Parameter width: the columns the table fits (nil: no limit); `wide` ignores it.
    static func render(_ document: StatusDocument, as format: StatusOutput, now: Date, width: Int? = nil) -> String {
        switch format {
        case .json: return json(document)
        case .yaml: return yaml(document)
        case .table: return table(document, now: now, width: width)
        case .wide: return table(document, now: now, width: nil)
        }
    }

    static func json(_ document: StatusDocument) -> String {
        // Our own types encode or the program is wrong.
        let data = try! StatusDocument.jsonEncoder().encode(document)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The JSON document read back through the YAML parser (JSON is YAML), so fields keep
    /// their order, and written as block YAML. The input is ours, so the limits that guard
    /// against hostile repositories are lifted.
    static func yaml(_ document: StatusDocument) -> String {
        let text = json(document)
        let limits = YAMLLimits(maxFileBytes: .max, maxScalarBytes: .max, maxDepth: 64, maxNodes: .max, maxDocuments: 1)
        let root = try! YAMLParser(limits: limits).parse(text, file: "status")[0].root
        return YAMLEmitter.emit(root)
    }

    /// The columns that give way, in order, to fit a width: MESSAGE first, then the cells
    /// with the least to lose, each down to a floor that still reads; then further.
    static let shrinking: [TextTable.Shrink] = [
        .init(column: 7, floor: 24), .init(column: 0, floor: 8), .init(column: 7, floor: 16), .init(column: 5, floor: 5),
        .init(column: 6, floor: 9), .init(column: 4, floor: 8), .init(column: 3, floor: 8), .init(column: 2, floor: 7),
        .init(column: 7, floor: 8), .init(column: 1, floor: 12), .init(column: 7, floor: 4), .init(column: 6, floor: 5),
        .init(column: 1, floor: 6), .init(column: 0, floor: 4), .init(column: 4, floor: 5), .init(column: 3, floor: 5), .init(column: 2, floor: 4),
    ]

    static func table(_ document: StatusDocument, now: Date, width: Int? = nil) -> String {
        var lines = header(document, now: now)
        var rows = [["KIND", "NAME", "SYNC", "HEALTH", "PHASE", "VERSION", "TRAFFIC", "MESSAGE", "AGE"]]
        for object in document.objects {
            rows.append([object.kind.rawValue, object.name, object.sync.rawValue, object.health.rawValue, object.phase.rawValue,
                         version(object), traffic(object), object.message, age(from: object.createdAt, to: now)])
        }
        if let width { lines = lines.map { $0.fitted(to: width) } }
        if document.objects.isEmpty { lines.append("no objects"); return lines.joined(separator: "\n") + "\n" }
        lines += TextTable.lines(rows, width: width, shrinking: shrinking)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The followed commit, the source's error and a head not applied, then a blank line.
    static func header(_ document: StatusDocument, now: Date) -> [String] {
        var lines: [String] = []
        let revision = document.revision
        if let commit = revision.commit {
            var header = "\(revision.branch) @ \(commit.prefix(7))"
            if let message = revision.message { header += " \"\(message)\"" }
            if let fetched = revision.fetchedAt { header += ", fetched \(age(from: fetched, to: now)) ago" }
            if let applied = revision.appliedCommit, applied != commit { header += "; applied \(applied.prefix(7))" }
            lines.append(header)
        } else {
            lines.append("\(revision.branch): not fetched yet")
        }
        // A fetch that fails, or (from a daemon) a store that cannot be written.
        if let error = revision.error { lines.append("error: \(error)") }
        if let gateway = document.gateway, !gateway.serving { lines.append("gateway \(gateway.address) down: \(gateway.error ?? "not running")") }
        if let leader = document.leader {
            let lease = leader.expiresAt > now ? "lease for \(age(from: now, to: leader.expiresAt))" : "lease expired \(age(from: leader.expiresAt, to: now)) ago"
            lines.append("leader \(leader.holder)" + (leader.api.map { " at \($0)" } ?? "") + ", epoch \(leader.epoch), \(lease)")
        }
        if let error = document.comparisonError {
            lines.append("not applied: \(error.commit.prefix(7)) (\(error.reason))")
            for diagnostic in error.diagnostics.prefix(10) { lines.append("  \(diagnostic)") }
            if error.diagnostics.count > 10 { lines.append("  … and \(error.diagnostics.count - 10) more") }
        }
        lines.append("")
        return lines
    }

    static func version(_ object: ObjectStatus) -> String {
        guard let model = object.model else { return "-" }
        switch (model.stableVersion, model.candidateVersion) {
        case (let stable?, let candidate?): return "v\(stable)→v\(candidate)"
        case (let stable?, nil): return "v\(stable)"
        case (nil, let candidate?): return "→v\(candidate)"
        case (nil, nil): return "-"
        }
    }

    static func traffic(_ object: ObjectStatus) -> String {
        guard let entries = object.model?.traffic, !entries.isEmpty else { return "-" }
        // A mirror shows what it copies; the header route is in the JSON and the message.
        return entries.filter { $0.role != "header" }
            .map { entry in entry.mirrorPercent.map { "r\(entry.revision) mirror \($0)%" } ?? "r\(entry.revision) \(entry.weight)%" }
            .joined(separator: " ")
    }

    /// `45s`, `12m`, `3h`, `2d`.
    static func age(from start: Date, to now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(start)))
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<7200: return "\(seconds / 60)m"
        case ..<172_800: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }
}
