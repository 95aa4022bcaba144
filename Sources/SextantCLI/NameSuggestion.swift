import SextantAPI
import SextantCore

/// `no object named "fraud-detectr"; did you mean "fraud-detector"?`: for names in
/// status, in `UnknownName`'s words.
enum NameSuggestion {
    /// - Parameters:
    ///   - selector: `NAME` or `KIND/NAME`.
    ///   - modelsOnly: only models' names are candidates.
    ///   - listing: the command that lists the names, named when none is near.
    static func noObject(named selector: String, in document: StatusDocument, modelsOnly: Bool = false, listing: String) -> CommandFailure {
        let noun = modelsOnly ? "model" : "object"
        let name = selector.split(separator: "/", maxSplits: 1).last.map(String.init) ?? selector
        let qualifier = String(selector.dropLast(name.count))
        let candidates = document.objects.filter { !modelsOnly || $0.kind == .model }
        // Objects of the kind named (`SLO/fraud`), else models: what a short name most
        // likely stands for.
        let kind = qualifier.dropLast().lowercased()
        let preferred = candidates.filter { kind.isEmpty ? $0.kind == .model : $0.kind.rawValue.lowercased() == kind }
        let hint = UnknownName.hint(name, known: Set(candidates.map(\.name)).sorted(), preferring: Set(preferred.map(\.name)).sorted(),
                                    listing: listing, qualifier: qualifier)
        return CommandFailure(message: "no \(noun) named \"\(selector)\"" + hint)
    }
}
