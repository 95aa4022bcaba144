import ArgumentParser
struct SchemaCommand: ParsableCommand {}
