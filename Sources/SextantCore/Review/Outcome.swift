/// What the reconciler will really do with the head, per object: predicted from the
/// manifests, the head's data checked against the head's contracts, and the store.
package struct Outcome: Sendable, Hashable, Codable {
    package enum Effect: String, Sendable, Hashable, Codable {
        /// A model trains a new version (or reuses a registered one).
        case retrain
        /// A model makes a new revision of the version it has (serving changed).
        case newRevision
        /// A model re-evaluates its revision (gates changed).
        case reevaluate
        /// A dataset's data meets its contract.
        case dataPasses
        /// Nothing moves: a dataset breaks its contract, or a model waits on one that does.
        case blocked
        /// The data could not be checked here.
        case unpredictable
    }

    package var effect: Effect
    /// Why it is blocked, as status will say it: `DataInvalid`.
    package var reason: String?
    /// `will be blocked: DataInvalid, 48 rows break hour ≤ 22`
    package var message: String

    package init(_ effect: Effect, reason: String? = nil, _ message: String) {
        self.effect = effect
        self.reason = reason
        self.message = message
    }
}
