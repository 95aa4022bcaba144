import Foundation
import SextantAPI
import SextantCore

/// `/slos/NAME`: the SLO's state and every rollout it judges now, each objective with its
/// samples, verdict and error budget, with conditions and the newest events.
struct SLOPage {
    var chrome: PageChrome
    /// The heading: name, states and message.
    var object: ObjectSummary
    var guards: [ObjectiveRow]
    var conditions: [ConditionRow]
    var events: [EventRow]

    init(_ object: ObjectStatus, status: StatusDocument, events: [Event], now: Date) {
        chrome = PageChrome(title: object.name, crumb: "SLO \(object.name)", status: status, stream: PageChrome.stream(after: events, name: object.name), now: now)
        self.object = ObjectSummary(object)
        guards = status.objects.filter { $0.kind == .model }.sorted { $0.name < $1.name }.flatMap { model in
            (model.model?.rollout?.objectives ?? []).enumerated().filter { $0.element.slo == object.name }.map { index, objective in
                ObjectiveRow(objective, model: model.name, index: index)
            }
        }
        conditions = object.conditions.map(ConditionRow.init)
        self.events = events.map(EventRow.init)
    }
}
