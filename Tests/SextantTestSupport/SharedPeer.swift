/// One peer server (PostgreSQL, a Ray cluster) shared by the suites that run at the same
/// time: the first to need it starts it, the last one out stops it.
actor SharedPeer<Peer: Sendable> {
    private let start: @Sendable () async throws -> Peer
    private let stop: @Sendable (Peer) async -> Void
    private var peer: Task<Peer, any Error>?
    private var holders = 0

    init(start: @escaping @Sendable () async throws -> Peer, stop: @escaping @Sendable (Peer) async -> Void) {
        self.start = start
        self.stop = stop
    }

    /// Runs `body` with the peer, started for it or shared, and lets go of it after.
    nonisolated func holding(_ body: @Sendable (Peer) async throws -> Void) async throws {
        let peer = try await acquire()
        do {
            try await body(peer)
        } catch {
            await release()
            throw error
        }
        await release()
    }

    private func acquire() async throws -> Peer {
        holders += 1
        let starting = peer ?? Task { [start] in try await start() }
        peer = starting
        do {
            return try await starting.value
        } catch {
            await release()
            throw error
        }
    }

    private func release() async {
        holders -= 1
        guard holders == 0, let ending = peer else { return }
        peer = nil
        if let running = try? await ending.value { await stop(running) }
    }
}
