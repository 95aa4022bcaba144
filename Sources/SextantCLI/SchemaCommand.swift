import ArgumentParser
import SextantAPI

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of a manifest kind (for editors and CI linters).",
        discussion: """
            With no KIND, prints every kind's schema as one JSON object keyed by kind.
            The same schemas are checked in under manifests/schemas/.

            Examples:
              sextant schema Model > model.schema.json
              sextant schema rolloutpolicy
            """
    )

    @Argument(help: "Model, Dataset, DataContract, SLO or RolloutPolicy (any case).")
    var kind: String?

    func run() throws {
        guard let kind else {
            let body = ManifestKind.allCases.map { kind in
                "\"\(kind.rawValue)\": " + kind.jsonSchema.trimmingSuffix().replacingNewlines(indent: "  ")
            }.joined(separator: ",\n  ")
            print("{\n  \(body)\n}")
            return
        }
        guard let match = ManifestKind.allCases.first(where: { $0.rawValue.lowercased() == kind.lowercased() }) else {
            throw ValidationError("unknown kind \"\(kind)\"; choose one of \(ManifestKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        print(match.jsonSchema, terminator: "")
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }

    fileprivate func replacingNewlines(indent: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
    }
}
