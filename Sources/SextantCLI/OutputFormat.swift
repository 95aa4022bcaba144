import ArgumentParser

/// `-o` of `validate`.
enum ValidateOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json, github
}
