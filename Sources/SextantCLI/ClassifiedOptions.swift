import ArgumentParser
import Foundation
import SextantAPI

/// `--classified`: which ODCS classifications make a contract column private (DESIGN §9).
/// Every command that loads manifests takes it, so `validate`, `plan` and the daemon agree
/// on the default features and on what the prediction log hashes.
struct ClassifiedOptions: ParsableArguments {
    @Option(name: .customLong("classified"),
            help: ArgumentHelp("The contract classifications that make a column private, comma-separated: kept out of default features, a feature only with privacy.allowClassified, hashed in the prediction log.",
                               valueName: "list"),
            transform: Self.levels(from:))
    var levels: ClassifiedLevels = .default

    /// A comma-separated list; an empty one makes no column private.
    static func levels(from argument: String) -> ClassifiedLevels {
        ClassifiedLevels(argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }
}
