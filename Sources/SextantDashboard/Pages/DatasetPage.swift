import Foundation
import SextantAPI
import SextantCore

/// `/datasets/NAME`: the data's last contract check — its digest, rows and violations —
/// with conditions and the newest events.
struct DatasetPage {
    var chrome: PageChrome
    /// The heading: name, states and message.
    var object: ObjectSummary
    var facts: [Fact]
    var violations: [String]
    var conditions: [ConditionRow]
    var events: [EventRow]

    init(_ object: ObjectStatus, status: StatusDocument, events: [Event], now: Date) {
        let dataset = object.dataset ?? ObjectStatus.DatasetFields()
        chrome = PageChrome(title: object.name, crumb: "dataset \(object.name)", status: status, stream: PageChrome.stream(after: events, name: object.name), now: now)
        self.object = ObjectSummary(object)
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
