import Foundation
import SextantAPI
import SextantCore

/// How the dashboard writes numbers, times and states: the same everywhere, in UTC, with
/// a tone (`good`, `bad`, `warn`, `muted`) the stylesheet colours and a word that says the
/// same without colour.
enum Format {
    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon)).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// `3m ago`, `2h ago`, `in 20s`.
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded())
        let magnitude = abs(seconds)
        let text = switch magnitude {
        case ..<60: "\(magnitude)s"
        case ..<3600: "\(magnitude / 60)m"
        case ..<86_400: "\(magnitude / 3600)h"
        default: "\(magnitude / 86_400)d"
        }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }

    static func commit(_ sha: String) -> String { String(sha.prefix(8)) }

    static func number(_ value: Double?, digits: Int = 4) -> String {
        guard let value else { return "–" }
        if value == value.rounded(), abs(value) < 1e12 { return String(Int(value)) }
        return String(format: "%.\(digits)g", value)
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.1f%%", value * 100)
    }

    static func count(_ value: Int?) -> String { value.map(String.init) ?? "–" }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    static func health(_ health: HealthStatus) -> String {
        switch health {
        case .healthy: "good"
        case .degraded, .missing: "bad"
        case .progressing, .suspended: "warn"
        case .unknown: "muted"
        }
    }

    static func sync(_ sync: SyncStatus) -> String {
        switch sync {
        case .synced: "good"
        case .outOfSync: "warn"
        case .unknown: "muted"
        }
    }

    static func verdict(_ verdict: String?) -> String {
        switch verdict?.lowercased() {
        case "passed", "true", "met": "good"
        case "failed", "false": "bad"
        default: "muted"
        }
    }

    /// The page of an object, when it has one.
    static func link(_ kind: ManifestKind, _ name: String) -> String? {
        switch kind {
        case .model: "/models/" + path(name)
        case .dataset: "/datasets/" + path(name)
        case .slo: "/slos/" + path(name)
        default: nil
        }
    }

    static func link(_ kind: EventKind, _ name: String) -> String? {
        ManifestKind(rawValue: kind.rawValue).flatMap { link($0, name) }
    }

    static func path(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? segment
    }
}

/// One event as the pages list it.
struct EventRow {
    var iso: String
    var time: String
    var object: String
    var link: String?
    var reason: String
    var message: String
    var actor: String
    var tone: String

    init(_ event: Event) {
        iso = Format.iso(event.time)
        time = Format.time(event.time)
        object = "\(event.kind.rawValue)/\(event.name)"
        link = Format.link(event.kind, event.name)
        reason = event.reason.rawValue
        message = event.message
        actor = event.actor
        let reason = event.reason.rawValue
        tone = reason.contains("Fail") || reason.contains("Abort") || reason.contains("Invalid") || reason.contains("Crash") ? "bad" : ""
    }
}

/// One condition as the pages list it.
struct ConditionRow {
    var type: String
    var status: String
    var reason: String
    var message: String
    var since: String
    var tone: String

    init(_ condition: StatusCondition) {
        type = condition.type
        status = condition.status
        reason = condition.reason
        message = condition.message
        since = Format.time(condition.lastTransitionTime)
        tone = switch condition.status {
        case "True": "good"
        case "False": "bad"
        default: "muted"
        }
    }
}

/// A label and its value, for a page's facts list.
struct Fact {
    var label: String
    var value: String
}

/// An object's name, states and message: a row of the overview, and the heading of its page.
struct ObjectSummary {
    var kind: String
    var name: String
    var link: String?
    var sync: String
    var syncTone: String
    var health: String
    var healthTone: String
    var phase: String
    var message: String

    init(_ object: ObjectStatus) {
        kind = object.kind.rawValue
        name = object.name
        link = Format.link(object.kind, object.name)
        sync = object.sync.rawValue
        syncTone = Format.sync(object.sync)
        health = object.health.rawValue
        healthTone = Format.health(object.health)
        phase = object.phase.rawValue
        message = object.message
    }
}
