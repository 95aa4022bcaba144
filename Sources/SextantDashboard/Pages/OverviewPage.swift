import Foundation
import SextantAPI
import SextantCore

/// `/`: every object of the applied commit, models first, and the newest events.
struct OverviewPage {
    var chrome: PageChrome
    var problem: String?
    var summary: String
    var objects: [ObjectSummary]
    var events: [EventRow]

    init(_ status: StatusDocument?, events: [Event], now: Date) {
        chrome = PageChrome(title: "Overview", crumb: nil, status: status, stream: PageChrome.stream(after: events), now: now)
        problem = status?.comparisonError.map { "Commit \(Format.commit($0.commit)) could not be compared: \($0.message)" }
        let all = (status?.objects ?? []).sorted { ($0.kind.order, $0.name) < ($1.kind.order, $1.name) }
        objects = all.map(ObjectSummary.init)
        let order: [HealthStatus] = [.healthy, .progressing, .suspended, .degraded, .missing, .unknown]
        let counts = order.compactMap { health -> String? in
            let count = all.filter { $0.health == health }.count
            return count == 0 ? nil : "\(count) \(health.rawValue)"
        }
        summary = "\(all.count) object\(all.count == 1 ? "" : "s")" + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", "))
        self.events = events.map(EventRow.init)
    }
}

extension ManifestKind {
    /// Models first: they are what people come to look at.
    var order: Int {
        switch self {
        case .model: 0
        case .dataset: 1
        case .slo: 2
        case .dataContract: 3
        case .rolloutPolicy: 4
        }
    }
}
