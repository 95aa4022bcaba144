import ServiceLifecycle

/// Keeps the data plane up between passes: every `period`, a gateway killed at any moment
/// is started again (with the stored routing table), even mid-pass, and a model server
/// that died asks for a pass at once, which replaces it — rather than leaving its
/// revision short of servers until the next interval. It waits on the reconciler's clock.
package struct DataPlaneWatchdog: Service {
    private let reconciler: Reconciler
    private let trigger: PassTrigger
    private let period: Duration

    package init(reconciler: Reconciler, trigger: PassTrigger, period: Duration = .milliseconds(250)) {
        self.reconciler = reconciler
        self.trigger = trigger
        self.period = period
    }

    package func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // A gateway that went down or came back: a pass saves status saying so.
            let gatewayChanged = await reconciler.superviseGateway(onlyIfStarted: true)
            let replicaDied = await reconciler.replicaDiedUnnoticed()
            if gatewayChanged || replicaDied { trigger.request() }
            try? await reconciler.clock.sleep(for: period)
        }
    }
}
