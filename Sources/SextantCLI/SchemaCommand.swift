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
            print(ManifestKind.allJSONSchemas, terminator: "")
            return
        }
        guard let match = ManifestKind.allCases.first(where: { $0.rawValue.lowercased() == kind.lowercased() }) else {
            throw CommandFailure(message: "unknown kind \"\(kind)\"; choose one of \(ManifestKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        print(match.jsonSchema, terminator: "")
    }
}
