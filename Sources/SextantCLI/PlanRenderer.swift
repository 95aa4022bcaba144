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

    static func summary(_ review: ChangeReview) -> String {
        let count = review.objects.count
        let breaking = review.breakingCount
        guard count > 0 else { return "no changes" }
        return "\(count) object\(count == 1 ? "" : "s") change" + (count == 1 ? "s" : "") + (breaking > 0 ? ", \(breaking) breaking" : "")
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
        lines.append(summary(review))
        for object in review.objects {
            lines.append("")
            lines.append("\(object.kind)/\(object.name)  \(label(object.change))\(object.breaking ? "  BREAKING" : "")  \(object.file)")
            for field in object.fields {
                lines.append("  \(field.path): \(value(field.before)) → \(value(field.after))")
            }
            for consequence in object.consequences {
                lines.append("  → \(consequence)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func label(_ change: ObjectReview.Change) -> String {
        switch change {
        case .added: "added"
        case .removed: "removed"
        case .modified: "modified"
        case .dataChanged: "data changed"
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
        lines.append("**\(summary(review).prefix(1).uppercased() + summary(review).dropFirst()).**")
        for object in review.objects {
            lines.append("")
            lines.append("#### \(object.kind) `\(object.name)`: \(label(object.change))\(object.breaking ? " — ⚠️ breaking" : "")")
            lines.append("")
            lines.append("`\(object.file)`")
            if !object.fields.isEmpty {
                lines.append("")
                lines.append("| field | before | after |")
                lines.append("|---|---|---|")
                for field in object.fields {
                    lines.append("| `\(cell(field.path))` | \(code(field.before)) | \(code(field.after)) |")
                }
            }
            if !object.consequences.isEmpty {
                lines.append("")
                for consequence in object.consequences {
                    if consequence.hasPrefix("breaking: ") {
                        lines.append("- **breaking:** \(consequence.dropFirst("breaking: ".count))")
                    } else {
                        lines.append("- \(consequence)")
                    }
                }
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
