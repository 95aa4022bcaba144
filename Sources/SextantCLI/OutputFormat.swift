import ArgumentParser

/// `-o` of `validate`.
enum ValidateOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json, github
}

/// `-o` of `status`.
enum StatusOutput: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}
