import ArgumentParser

/// `-o` of `validate`.
enum ValidateOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json, github
}

/// `-o` of `status`: `table` fits the terminal, `wide` prints every cell whole.
enum StatusOutput: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json, yaml
}
