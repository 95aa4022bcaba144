public import ServiceLifecycle

/// Keeps the gateway running while the daemon runs: a gateway killed at any moment is
/// started again (with the stored routing table) within `period`, even mid-pass.
public struct GatewayWatchdog: Service {
    private let reconciler: Reconciler
    private let period: Duration

    public init(reconciler: Reconciler, period: Duration = .milliseconds(250)) {
        self.reconciler = reconciler
        self.period = period
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await reconciler.superviseGateway(onlyIfStarted: true)
            try? await Task.sleep(for: period)
        }
    }
}
