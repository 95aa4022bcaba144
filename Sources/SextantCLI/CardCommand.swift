import ArgumentParser
import Foundation
import SextantAPI
import SextantCore
import SextantRuntime
import SextantStore

struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Show the model card of a version: data, metrics with 95% intervals, slices, explanations, privacy, lineage.",
        discussion: """
            markdown is the artifact's model-card.md (a Hugging Face model card: YAML
            front matter with model-index, then the sections); json is its
            model-card.json (Model Card Toolkit's schema 0.0.2, Sextant's facts under
            sextant_ keys). A packaged version's card is the one in its ModelPack
            artifact's doc layer; a version that was never packaged gets one built from
            the registry, which says what only packaging records. Intended use,
            limitations and ethical considerations come from the Model's annotations
            sextant.dev/intended-use, sextant.dev/limitations and
            sextant.dev/ethical-considerations. Reads --state-dir or a daemon's API
            (--server), like `status`.

            Exit status: 0; 2 when no model or version has that name, or the state or
            the server cannot be read.

            Examples:
              sextant card fraud-detector
              sextant card fraud-detector --version 1 -o json |
                  jq '.quantitative_analysis.performance_metrics'
              sextant card fraud-detector --server http://127.0.0.1:7070
            """
    )

    @Argument(help: "The model's name.")
    var model: String

    @Option(help: ArgumentHelp("The version (default: the stable one, else the newest); 2 or v2.", valueName: "n"))
    var version: CardVersion?

    @Option(name: .shortAndLong, help: "markdown or json.")
    var output: CardOutput = .markdown

    @OptionGroup var source: StatusSource

    func run() async throws {
        let card = try await read()
        switch output {
        case .markdown: print(card.markdown, terminator: "")
        case .json: print(String(decoding: card.json, as: UTF8.self), terminator: "")
        }
    }

    private func read() async throws -> ModelCard {
        if let server = source.server {
            let query = version.map { "?version=\($0.number)" } ?? ""
            return try await DaemonRead.get(ModelCard.self, server: server, path: "/api/v1/models/\(model)/card" + query, what: "a model card")
        }
        let directory = source.stateDir ?? ".sextant"
        let registries: [String: ModelRegistry]
        let stable: Int?
        do {
            let store = try SQLiteStore(readingFrom: directory)
            registries = try store.registries()
            stable = try store.status()?.objects.first { $0.kind == .model && $0.name == model }?.model?.stableVersion
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
        guard let registry = registries[model] else {
            let known = Array(registries.keys)
            throw CommandFailure(message: "no model \(model) in \(directory)"
                                 + (known.isEmpty ? " (nothing was trained yet)" : UnknownName.hint(model, known: known, listing: "sextant status")))
        }
        do throws(ModelCardLookup.Failure) {
            return try ModelCardLookup(stateDirectory: directory).card(of: registry, version: version?.number, stableVersion: stable)
        } catch {
            throw CommandFailure(message: error.kind == .unknownVersion ? "--version: \(error.description)" : error.description)
        }
    }
}

/// `-o` of `card`.
enum CardOutput: String, ExpressibleByArgument, CaseIterable {
    case markdown, json
}

/// `--version 2` or `--version v2`.
struct CardVersion: ExpressibleByArgument {
    var number: Int

    init?(argument: String) {
        guard let number = Int(argument.hasPrefix("v") ? String(argument.dropFirst()) : argument), number > 0 else { return nil }
        self.number = number
    }
}
