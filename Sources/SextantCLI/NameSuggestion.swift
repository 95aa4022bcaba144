import SextantAPI
import SextantCore
import SextantYAML

/// `no object named "fraud-detectr"; did you mean "fraud-detector"?`: for names in
/// status, the suggestion `validate` makes for misspelt fields.
enum NameSuggestion {
    /// - Parameters:
    ///   - selector: `NAME` or `KIND/NAME`.
    ///   - modelsOnly: only models' names are candidates.
    ///   - listing: the command that lists the names, named when none is near.
    static func noObject(named selector: String, in document: StatusDocument, modelsOnly: Bool = false, listing: String) -> CommandFailure {
        let noun = modelsOnly ? "model" : "object"
        let name = selector.split(separator: "/", maxSplits: 1).last.map(String.init) ?? selector
        let known = Set(document.objects.filter { !modelsOnly || $0.kind == .model }.map(\.name)).sorted()
        guard let suggestion = NearestName.closest(to: name, in: known) else {
            return CommandFailure(message: "no \(noun) named \"\(selector)\"; `\(listing)` lists them all")
        }
        return CommandFailure(message: "no \(noun) named \"\(selector)\"; did you mean \"\(selector.dropLast(name.count))\(suggestion)\"?")
    }
}
