import Foundation
import SextantAPI
import SextantCore

/// `sextant plan` as text for a terminal, markdown for a pull-request comment, or JSON.
enum PlanRenderer {
    static func render(_ review: ChangeReview, as format: PlanOutput) -> String {
        switch format {
        case .text: text(review)
        case .markdown: markdown(review)
        case .json: json(review)
        }
    }

    static func json(_ review: ChangeReview) -> String {
        String(decoding: try! StatusDocument.jsonEncoder().encode(review), as: UTF8.self) + "\n"
    }

    static func side(_ revision: ChangeReview.Revision) -> String {
        revision.label + (revision.commit.map { " (\($0.prefix(7)))" } ?? " (nothing applied)")
    }

    static func value(_ value: JSONValue?) -> String {
        value.map(\.compactText) ?? "(none)"
    }

    static func text(_ review: ChangeReview) -> String {
        var lines = ["plan: \(side(review.base)) → \(side(review.head))"]
        guard review.isValid else {
            lines.append("the head does not validate; nothing would be applied:")
            lines += review.errors.map { "  " + $0 }
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append(review.summary)
        var diffed: Set<String> = []
        for object in review.objects {
            lines.append("")
            lines.append("\(object.kind)/\(object.name)  \(label(object.change))\(object.breaking ? "  BREAKING" : "")  \(object.file)")
            if let serving = servingText(object) { lines.append("  serving now: \(serving)") }
            for field in object.fields {
                lines.append("  \(field.path): \(value(field.before)) → \(value(field.after))")
            }
            if let outcome = object.outcome { lines.append("  ⇒ \(outcome.message)") }
            for consequence in object.consequences where consequence != object.outcome?.message {
                lines.append("  → \(consequence)")
            }
            if let diff = object.diff, diffed.insert(object.file).inserted {
                lines.append("  diff \(object.file):")
                lines += diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast(diff.hasSuffix("\n") ? 1 : 0).map { "    " + $0 }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `v1 (r1) 90%, v2 (r2) 10% candidate`, `nothing serves`; nil for objects that do not serve.
    static func servingText(_ object: ObjectReview) -> String? {
        guard object.kind == .model else { return nil }
        guard let traffic = object.serving else { return "not known here (no store in --state-dir)" }
        let shares = traffic.filter { $0.role != "header" }.map { entry in
            "v\(entry.version) (r\(entry.revision)) "
                + (entry.mirrorPercent.map { "\($0)% mirrored" } ?? "\(entry.weight)%")
                + (entry.role == "stable" ? "" : " \(entry.role)")
        }
        return shares.isEmpty ? "nothing serves" : shares.joined(separator: ", ")
    }

    static func label(_ change: ObjectReview.Change) -> String {
        switch change {
        case .added: "added"
        case .removed: "removed"
        case .modified: "modified"
        case .dataChanged: "data changed"
        case .contractChanged: "contract changed"
        case .dataAndContractChanged: "data and contract changed"
        case .inputsChanged: "inputs changed"
        }
    }

    /// GitHub-flavoured markdown, grouped by object.
    static func markdown(_ review: ChangeReview) -> String {
        var lines = ["### Sextant plan: `\(review.base.label)` → `\(review.head.label)`", ""]
        lines.append("Base \(review.base.commit.map { "`\($0.prefix(7))`" } ?? "(nothing applied)"), head \(review.head.commit.map { "`\($0.prefix(7))`" } ?? "-").")
        lines.append("")
        guard review.isValid else {
            lines.append("**The head does not validate: nothing would be applied.** Fix these first:")
            lines.append("")
            lines.append("```")
            lines += review.errors
            lines.append("```")
            return lines.joined(separator: "\n") + "\n"
        }
        guard review.hasChanges else {
            lines.append("No changes: merging this does not change what Sextant does.")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("**\(review.summary.prefix(1).uppercased() + review.summary.dropFirst()).**")
        var diffed: Set<String> = []
        for object in review.objects {
            lines.append("")
            lines.append("#### \(object.kind) `\(object.name)`: \(label(object.change))\(object.breaking ? " — ⚠️ breaking" : "")")
            lines.append("")
            lines.append("`\(object.file)`" + (servingText(object).map { " · serving now: \($0)" } ?? ""))
            if let outcome = object.outcome {
                lines.append("")
                lines.append("**\(outcome.effect == .blocked ? "⛔ " : "")\(outcome.message.prefix(1).uppercased() + outcome.message.dropFirst())**")
            }
            if !object.fields.isEmpty {
                lines.append("")
                lines.append("| field | before | after |")
                lines.append("|---|---|---|")
                for field in object.fields {
                    lines.append("| `\(cell(field.path))` | \(code(field.before)) | \(code(field.after)) |")
                }
            }
            let details = object.consequences.filter { $0 != object.outcome?.message }
            if !details.isEmpty {
                lines.append("")
                for consequence in details {
                    if consequence.hasPrefix("breaking: ") {
                        lines.append("- **breaking:** \(consequence.dropFirst("breaking: ".count))")
                    } else {
                        lines.append("- \(consequence)")
                    }
                }
            }
            if let diff = object.diff, diffed.insert(object.file).inserted {
                let fence = diff.contains("```") ? "````" : "```"
                lines += ["", "<details><summary>diff \(object.file)</summary>", "", fence + "diff"]
                lines.append(diff.hasSuffix("\n") ? String(diff.dropLast()) : diff)
                lines += [fence, "", "</details>"]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func code(_ value: JSONValue?) -> String {
        guard let value else { return "—" }
        let text = value.compactText
        return "`\(cell(text.count > 80 ? String(text.prefix(80)) + "…" : text))`"
    }

    /// Pipes would end the table cell.
    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
