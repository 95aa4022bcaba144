import ArgumentParser

struct SextantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sextant",
        abstract: "GitOps for machine learning: models, data contracts, SLOs and rollouts from a Git repository.",
        discussion: """
            Examples:
              sextant reconcile --once --repo . --path examples/quickstart
              sextant status
              sextant validate examples/quickstart
              sextant validate --repo . --ref main --path examples/quickstart
              sextant schema Model
            """,
        subcommands: [ReconcileCommand.self, StatusCommand.self, ValidateCommand.self, SchemaCommand.self]
    )
}
