import Foundation
import SextantAPI
import SextantCore

/// `/datasets/NAME`: the data's last contract check — its digest, rows and violations —
/// with conditions and the newest events.
struct DatasetPage {
    var chrome: PageChrome
    var name: String
    var health: String
    var healthTone: String
    var sync: String
    var syncTone: String
    var phase: String
    var message: String
    var facts: [Fact]
    var violations: [String]
    var conditions: [ConditionRow]
    var events: [EventRow]

    init(_ object: ObjectStatus, status: StatusDocument, events: [Event], now: Date) {
        let dataset = object.dataset ?? ObjectStatus.DatasetFields()
        chrome = PageChrome(title: object.name, crumb: "dataset \(object.name)", status: status, stream: PageChrome.stream(after: events, name: object.name), now: now)
        name = object.name
        health = object.health.rawValue
        healthTone = Format.health(object.health)
        sync = object.sync.rawValue
        syncTone = Format.sync(object.sync)
        phase = object.phase.rawValue
        message = object.message
        facts = [
            Fact(label: "Rows", value: Format.count(dataset.rows)),
            Fact(label: "SHA-256", value: dataset.sha256.map { String($0.prefix(16)) + "…" } ?? "not read yet"),
            Fact(label: "Since", value: Format.time(object.createdAt)),
        ]
        violations = dataset.violations
        conditions = object.conditions.map(ConditionRow.init)
        self.events = events.map(EventRow.init)
    }
}
