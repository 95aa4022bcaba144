import Foundation
package import SextantAPI

/// What a card says that the registry does not hold, taken from the Model's manifests when
/// the version is packaged: the data's names, the considerations people wrote in the
/// Model's annotations, and the classified columns it uses.
package struct ModelCardContext: Sendable, Hashable {
    package var dataset: String
    package var target: String
    package var contract: ContractLabel
    /// The Model's `metadata.annotations`; only the `sextant.dev/` considerations are read.
    package var annotations: [String: String]
    package var classifiedColumns: [ClassifiedFeature]

    package init(dataset: String, target: String, contract: ContractLabel, annotations: [String: String], classifiedColumns: [ClassifiedFeature]) {
        self.dataset = dataset
        self.target = target
        self.contract = contract
        self.annotations = annotations
        self.classifiedColumns = classifiedColumns
    }

    /// The annotations a card's considerations come from (DESIGN §9).
    package enum Consideration: String, CaseIterable, Sendable {
        case intendedUse = "sextant.dev/intended-use"
        case limitations = "sextant.dev/limitations"
        case ethicalConsiderations = "sextant.dev/ethical-considerations"
    }

    /// The annotation's items: one per non-empty line (a YAML block scalar lists several).
    package func items(of consideration: Consideration) -> [String]? {
        guard let text = annotations[consideration.rawValue] else { return nil }
        let items = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items.isEmpty ? nil : items
    }
}

extension PackageJob {
    /// The card's context from what the planner put on the job.
    package var cardContext: ModelCardContext {
        ModelCardContext(dataset: data.dataset, target: data.target, contract: contract, annotations: annotations, classifiedColumns: classifiedColumns)
    }
}
