import SextantWire

/// The routing table in force, with each model's choice state: a smooth weighted
/// round-robin over its revisions (deterministic: at 10% the candidate gets exactly one
/// request in ten), a round-robin over each revision's replicas, and each mirror's share.
struct RouteTable: Sendable {
    private(set) var table: RoutingTable
    /// Each model's chooser, and where it is in `choosers`.
    private var choosers: [ModelChooser]
    private var slots: [String: Int]
    /// The model asked for last and its slot: most requests name the same model as the one
    /// before, and then no `String` is hashed (this runs for every request).
    private var last: (model: String, slot: Int)?

    init(_ table: RoutingTable) {
        self.table = table
        (choosers, slots) = Self.slotted(table.models.map { ($0.key, ModelChooser($0.value)) })
    }

    /// Replaces the table, keeping the choice state of models whose backends did not change.
    mutating func replace(with next: RoutingTable) {
        let kept = next.models.map { name, route in
            if let existing = chooser(name), existing.route == route { (name, existing) } else { (name, ModelChooser(route)) }
        }
        table = next
        (choosers, slots) = Self.slotted(kept)
        last = nil
    }

    private static func slotted(_ named: [(String, ModelChooser)]) -> ([ModelChooser], [String: Int]) {
        var slots: [String: Int] = [:]
        for (index, (name, _)) in named.enumerated() { slots[name] = index }
        return (named.map(\.1), slots)
    }

    private func chooser(_ model: String) -> ModelChooser? {
        slots[model].map { choosers[$0] }
    }

    /// The model's slot in `choosers`, nil for a model not routed here.
    private mutating func slot(_ model: String) -> Int? {
        if let last, last.model == model { return last.slot }
        guard let slot = slots[model] else { return nil }
        last = (model, slot)
        return slot
    }

    func knows(_ model: String) -> Bool { table.models[model] != nil }

    /// Where one request goes and, for inference (`counted`), which mirrors get a copy: one
    /// look-up of the model for both (this runs for every request, under the table's lock).
    /// `unit` gives a request's assignment unit under an experiment (asked only then).
    mutating func route(model: String, header: (String) -> String?, unit: (ExperimentAssignment) -> UInt64? = { _ in nil },
                        counted: Bool) -> Routing {
        guard let slot = slot(model) else { return .unknownModel }
        let assigned = choosers[slot].route.experiment.flatMap(unit)
        guard let target = choosers[slot].choose(header: header, unit: assigned, excluding: nil) else { return .noServer }
        return .target(target, mirrors: counted ? choosers[slot].mirrors(servedBy: target.revision) : [],
                       log: counted ? choosers[slot].route.log ?? PredictionLogSettings() : nil, unit: assigned)
    }

    enum Routing {
        case unknownModel
        case noServer
        /// `log`: the model's prediction log settings, for inference; `unit`: the request's
        /// assignment unit under an experiment, when it carried the unit header.
        case target(Target, mirrors: [Target], log: PredictionLogSettings?, unit: UInt64?)
    }

    /// The type of the model's target, for feedback; nil for a model not routed here.
    func feedbackTarget(model: String) -> TargetType?? {
        guard let route = table.models[model] else { return nil }
        return .some(route.target)
    }

    /// The backend for a request: the header route when the request carries it, else the
    /// unit's arm under an experiment, else the weighted choice; `excluding` a revision that
    /// just failed (a retry).
    mutating func choose(model: String, header: (String) -> String?, unit: UInt64? = nil, excluding failed: Target? = nil) -> Target? {
        guard let slot = slot(model) else { return nil }
        return choosers[slot].choose(header: header, unit: unit, excluding: failed)
    }

    /// The mirrors that get a copy of one inference request served by `revision`: each
    /// mirror backend other than it adds its `mirrorPercent` to its accumulator and takes
    /// the request when that reaches 100 (so 10% is exactly one request in ten).
    mutating func mirrors(model: String, servedBy revision: Int) -> [Target] {
        guard let slot = slot(model) else { return [] }
        return choosers[slot].mirrors(servedBy: revision)
    }

    /// Where one request goes.
    struct Target: Sendable, Hashable {
        var revision: Int
        var upstream: Upstream
        /// What the request's target is sent under (see `Endpoint`); empty for most servers.
        var pathPrefix = ""
        /// The revision's model version (what the prediction log records); follows from the revision.
        var version = 0

        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.revision == rhs.revision && lhs.upstream == rhs.upstream && lhs.pathPrefix == rhs.pathPrefix
        }
        func hash(into hasher: inout Hasher) {
            hasher.combine(revision)
            hasher.combine(upstream)
            hasher.combine(pathPrefix)
        }
    }

    /// The endpoints of the table in force that the gateway cannot use, each with why;
    /// their backends are routed without them.
    var unusableEndpoints: [(model: String, endpoint: UnusableEndpoint)] {
        slots.sorted { $0.key < $1.key }.flatMap { model, slot in choosers[slot].unusable.map { (model, $0) } }
    }
}

struct ModelChooser: Sendable {
    let route: ModelRoute
    /// Each backend's servers, from its endpoint URLs (one the gateway cannot use is left
    /// out, and kept in `unusable`).
    private let servers: [[Endpoint]]
    let unusable: [UnusableEndpoint]
    private var current: [Int]
    private var cursors: [Int]
    private var mirrorCredit: [Int]
    /// Whether any backend mirrors: most models have none, and then nothing is counted.
    private let mirrored: Bool
    /// The backends a request goes to when none failed: the weighted ones with a server,
    /// else any with a server that serves clients (found once, not per request).
    private let weighted: [Int]
    private let serving: [Int]
    /// The weights of `weighted`, in its order: the arms a unit is assigned among.
    private let armWeights: [Int]

    init(_ route: ModelRoute) {
        self.route = route
        var unusable: [UnusableEndpoint] = []
        servers = route.backends.map { backend in
            backend.endpoints.compactMap { url in
                do throws(EndpointError) {
                    return try Endpoint(url: url)
                } catch {
                    unusable.append(UnusableEndpoint(revision: backend.revision, url: url, reason: error))
                    return nil
                }
            }
        }
        self.unusable = unusable
        current = Array(repeating: 0, count: route.backends.count)
        cursors = Array(repeating: 0, count: route.backends.count)
        mirrorCredit = Array(repeating: 0, count: route.backends.count)
        mirrored = route.backends.contains { ($0.mirrorPercent ?? 0) > 0 }
        let backends = route.backends
        let servers = servers
        weighted = backends.indices.filter { backends[$0].weight > 0 && !servers[$0].isEmpty }
        serving = backends.indices.filter { !servers[$0].isEmpty && Self.servesClients(backends[$0]) }
        armWeights = weighted.map { backends[$0].weight }
    }

    /// A shadow or preview copy answers clients only through the header route: a mirror's
    /// answers are recorded, never returned, unless a client asks for that revision.
    private static func servesClients(_ backend: RouteBackend) -> Bool {
        (backend.mirrorPercent ?? 0) <= 0 && !backend.role.isMirror
    }

    /// The backend for a request: the header route when the request carries it; else, with
    /// a `unit` (under an experiment), the unit's arm among the weighted backends, the same
    /// for every request of the unit; else the smooth weighted round-robin. A retry
    /// (`excluding` the revision that failed) goes to another weighted revision, so a unit
    /// whose arm fails is answered by the other arm rather than not at all.
    mutating func choose(header: (String) -> String?, unit: UInt64? = nil, excluding failed: RouteTable.Target?) -> RouteTable.Target? {
        let backends = route.backends
        if failed == nil, let headerRoute = route.headerRoute, header(headerRoute.name) == headerRoute.value,
           let index = backends.indices.first(where: { backends[$0].revision == headerRoute.revision && !servers[$0].isEmpty }) {
            return pick(index)
        }
        if failed == nil, let unit, let arm = ExperimentAssignment.arm(of: unit, weights: armWeights) {
            return pick(weighted[arm])
        }
        guard let failed else {
            let eligible = weighted.isEmpty ? serving : weighted
            return eligible.isEmpty ? nil : choose(among: eligible)
        }
        var eligible = backends.indices.filter { backends[$0].weight > 0 && !servers[$0].isEmpty && backends[$0].revision != failed.revision }
        if eligible.isEmpty {
            // Nothing weighted is left: any revision with a server, then another replica of the failed one.
            eligible = backends.indices.filter {
                !servers[$0].isEmpty && backends[$0].revision != failed.revision && Self.servesClients(backends[$0])
            }
        }
        if eligible.isEmpty, let index = backends.indices.first(where: { backends[$0].revision == failed.revision && servers[$0].count > 1 }) {
            // Another replica: the next slot, or the one after if the next is the failed
            // server. Replicas behind one proxy share its URL (Ray Serve's): the retry then
            // goes to the same URL, and the proxy picks another replica behind it.
            var target = pick(index)
            if target == failed { target = pick(index) }
            return target
        }
        guard !eligible.isEmpty else { return nil }
        return choose(among: eligible)
    }

    /// The smooth weighted round-robin over `eligible` (not empty).
    private mutating func choose(among eligible: [Int]) -> RouteTable.Target {
        if eligible.count == 1 { return pick(eligible[0]) }
        let backends = route.backends
        var total = 0
        var best = eligible[0]
        for index in eligible {
            let weight = max(backends[index].weight, 1)
            total += weight
            current[index] += weight
            if current[index] > current[best] { best = index }
        }
        current[best] -= total
        return pick(best)
    }

    mutating func mirrors(servedBy revision: Int) -> [RouteTable.Target] {
        guard mirrored else { return [] }
        var targets: [RouteTable.Target] = []
        for index in route.backends.indices {
            let backend = route.backends[index]
            guard let percent = backend.mirrorPercent, percent > 0, !servers[index].isEmpty, backend.revision != revision else { continue }
            mirrorCredit[index] += min(percent, 100)
            if mirrorCredit[index] >= 100 {
                mirrorCredit[index] -= 100
                targets.append(pick(index))
            }
        }
        return targets
    }

    private mutating func pick(_ index: Int) -> RouteTable.Target {
        let servers = servers[index]
        let server = servers.count == 1 ? servers[0] : servers[cursors[index] % servers.count]
        cursors[index] &+= 1
        return RouteTable.Target(revision: route.backends[index].revision, upstream: server.upstream, pathPrefix: server.pathPrefix,
                                 version: route.backends[index].version)
    }
}
