/// The lease's numbers (DESIGN §12): renewed every 5 s, 15 s long on the database's clock;
/// the leader stops acting 4 s before the earliest moment the lease can end.
package struct LeaseTiming: Sendable, Hashable {
    /// How often the leader renews.
    package var renewEvery: Duration
    /// How long a renewal extends the lease, on the database's clock.
    package var lease: Duration
    /// How long before the lease can end the leader stops: time to stop jobs, and room for
    /// the two clocks running at slightly different rates.
    package var margin: Duration
    /// How long a renewal may take before it counts as failed.
    package var renewTimeout: Duration
    /// How soon a failed renewal is tried again.
    package var retryAfterFailure: Duration
    /// How often a follower tries to take the lease while another holds it: a lease given
    /// back at a graceful stop is taken within this; one that runs out, just after its end.
    package var followerPoll: Duration

    package init(renewEvery: Duration, lease: Duration, margin: Duration, renewTimeout: Duration, retryAfterFailure: Duration,
                 followerPoll: Duration = .seconds(1)) {
        self.renewEvery = renewEvery
        self.lease = lease
        self.margin = margin
        self.renewTimeout = renewTimeout
        self.retryAfterFailure = retryAfterFailure
        self.followerPoll = followerPoll
    }

    /// DESIGN §12's numbers, and a follower trying every second (one small statement).
    package static let standard = LeaseTiming(renewEvery: .seconds(5), lease: .seconds(15), margin: .seconds(4), renewTimeout: .seconds(2),
                                              retryAfterFailure: .seconds(1), followerPoll: .seconds(1))

    /// How long after a renewal was sent the leader may act: the database's expiry is at
    /// least `lease` after the send, because the database can only have run it later.
    package var actingWindow: Duration { lease - margin }
}

/// A leader's view of its lease on its own monotonic clock: when the last renewal that
/// worked was *sent*, and so until when it may act. Pure: the replica feeds it instants and
/// results, and asks what to do next.
package struct LeaseState: Sendable, Hashable {
    package typealias Instant = ContinuousClock.Instant

    package let timing: LeaseTiming
    /// When the last successful renewal (or the acquisition) was sent.
    package private(set) var lastGoodSend: Instant
    /// When the last renewal was sent, whatever came of it.
    package private(set) var lastAttempt: Instant
    /// Renewals failed since the last one that worked.
    package private(set) var failures = 0

    /// - Parameter sentAt: when the statement that acquired the lease was sent.
    package init(acquiredAt sentAt: Instant, timing: LeaseTiming = .standard) {
        self.timing = timing
        lastGoodSend = sentAt
        lastAttempt = sentAt
    }

    /// The leader acts until then, and not after.
    package var deadline: Instant { lastGoodSend + timing.actingWindow }

    /// When to send the next renewal: a period after one that worked, sooner after one
    /// that failed.
    package var nextRenewal: Instant { lastAttempt + (failures == 0 ? timing.renewEvery : timing.retryAfterFailure) }

    /// Whether the leader may still act at `now`.
    package func isActing(at now: Instant) -> Bool { now < deadline }

    /// A renewal sent at `sentAt` worked. However late its answer came, the deadline moves
    /// to `sentAt + actingWindow` at most: the database may have run it as soon as it was sent.
    package mutating func renewed(sentAt: Instant) {
        lastGoodSend = max(lastGoodSend, sentAt)
        lastAttempt = max(lastAttempt, sentAt)
        failures = 0
    }

    /// A renewal sent at `sentAt` failed (an error, or no answer in time): the lease may
    /// still hold, so the leader goes on until the deadline and tries again sooner.
    package mutating func failed(sentAt: Instant) {
        lastAttempt = max(lastAttempt, sentAt)
        failures += 1
    }
}
