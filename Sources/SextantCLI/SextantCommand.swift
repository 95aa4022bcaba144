import ArgumentParser

struct SextantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sextant",
        abstract: "GitOps for machine learning: models, data contracts, SLOs and rollouts from a Git repository.",
        discussion: """
            Examples:
              sextant run --repo https://github.com/acme/ml-config \\
                  --state-dir /var/lib/sextant
              sextant reconcile --once --repo . --path examples/quickstart
              sextant status
              sextant predict fraud-detector --csv examples/quickstart/requests/rows.csv
              sextant promote fraud-detector
              sextant plan --base origin/main --head HEAD --path examples/quickstart
              sextant validate examples/quickstart
              sextant validate --repo . --ref main --path examples/quickstart
              sextant schema Model
            """,
        subcommands: [RunCommand.self, ReconcileCommand.self, StatusCommand.self, GetCommand.self, PlanCommand.self, TrainCommand.self, MetricsCommand.self, ServeModelCommand.self, HistoryCommand.self, CardCommand.self, EventsCommand.self, PromoteCommand.self, AbortCommand.self, RetryCommand.self, RollbackCommand.self, PredictCommand.self, PredictionsCommand.self, FeedbackCommand.self, DriftCommand.self, ExperimentCommand.self, GatewayCommand.self, DownCommand.self, ValidateCommand.self, SchemaCommand.self, RenderCommand.self]
    )
}
