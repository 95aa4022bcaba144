/// What the gateway routes: per model, the revisions that take traffic and their servers.
/// The daemon computes it from observed state, stores it, and pushes it to the gateway
/// with a generation number that only increases (DESIGN §1 "Data plane").
public struct RoutingTable: Sendable, Hashable, Codable {
    /// The admin protocol's version: a gateway refuses a table of a newer protocol.
    /// 2: backends name endpoint URLs (`endpoints`), not loopback ports.
    /// 3: a model's log settings may name inputs to hash (`hashedInputs`).
    /// 4: a model may be under an experiment (`experiment`): sticky assignment units.
    package static let protocolVersion = 4

    package var protocolVersion: Int
    package var generation: Int
    /// The lease term of the replica that computed it (DESIGN §12), nil from a daemon that
    /// runs alone. Tables are ordered by (epoch, generation): a gateway refuses one from an
    /// earlier term, so a replica that lost its lease cannot route traffic, and takes the
    /// first table of a new term even when a late push of the old one has its generation.
    /// A gateway before it ignores the key (and orders by generation only).
    package var epoch: Int64?
    package var models: [String: ModelRoute]

    /// A table keeps the oldest protocol that can route it as meant, so an older gateway
    /// takes it: 2 without inputs to hash or experiments. One with inputs to hash is 3, refused
    /// by a gateway of protocol 2 (which would write them in clear) until it is upgraded; one
    /// with an experiment is 4, refused by a gateway of protocol 3 or less (which would split
    /// requests, not units, so one user would see both arms).
    public init(generation: Int, epoch: Int64? = nil, models: [String: ModelRoute]) {
        self.protocolVersion = if models.values.contains(where: { $0.experiment != nil }) {
            4
        } else if models.values.contains(where: { $0.log?.hashedInputs != nil }) {
            3
        } else {
            2
        }
        self.generation = generation
        self.epoch = epoch
        self.models = models
    }

    /// Which of two tables is newer: the later term, then the higher generation.
    package var order: Order { Order(epoch: epoch ?? 0, generation: generation) }

    package struct Order: Sendable, Hashable, Comparable, CustomStringConvertible {
        package var epoch: Int64
        package var generation: Int

        package init(epoch: Int64, generation: Int) {
            self.epoch = epoch
            self.generation = generation
        }

        package static func < (lhs: Order, rhs: Order) -> Bool {
            (lhs.epoch, lhs.generation) < (rhs.epoch, rhs.generation)
        }

        /// `generation 7`, or `generation 7 of epoch 2`.
        package var description: String { "generation \(generation)" + (epoch == 0 ? "" : " of epoch \(epoch)") }
    }
}

/// How one model's requests are split.
public struct ModelRoute: Sendable, Hashable, Codable {
    package var backends: [RouteBackend]
    /// Requests carrying this header go to the revision it names.
    package var headerRoute: HeaderRouteTarget?
    /// The prediction log of its inference requests (nil, from a daemon before it: the defaults).
    package var log: PredictionLogSettings?
    /// The type of its target, which feedback labels must have (nil: any scalar).
    package var target: TargetType?
    /// Under an experiment (DESIGN §10): how requests are assigned to the weighted backends
    /// (stable and candidate), so that one unit always gets the same arm. Nil: a smooth
    /// weighted round-robin over requests.
    package var experiment: ExperimentAssignment?

    public init(backends: [RouteBackend], headerRoute: HeaderRouteTarget? = nil, log: PredictionLogSettings? = nil, target: TargetType? = nil,
                experiment: ExperimentAssignment? = nil) {
        self.backends = backends
        self.headerRoute = headerRoute
        self.log = log
        self.target = target
        self.experiment = experiment
    }
}

/// A model's `spec.monitoring.log` as the gateway needs it (DESIGN §7 "Prediction log").
public struct PredictionLogSettings: Sendable, Hashable, Codable {
    /// The share of inference requests logged, 0…1 (decided by request id).
    public var sample: Double
    /// The most bytes of segments kept for the model; the oldest closed segments go first.
    public var maxBytes: Int64
    /// How long closed segments are kept, in seconds.
    public var retentionSeconds: Int64
    /// The inputs whose values reach the log only as keyed hashes (classified columns,
    /// DESIGN §9); nil when there are none.
    public var hashedInputs: HashedInputs?

    /// Every request, 1 GiB, 14 days, nothing hashed.
    public init(sample: Double = 1, maxBytes: Int64 = 1 << 30, retentionSeconds: Int64 = 14 * 86_400, hashedInputs: HashedInputs? = nil) {
        self.sample = sample
        self.maxBytes = maxBytes
        self.retentionSeconds = retentionSeconds
        self.hashedInputs = hashedInputs
    }
}

/// A model's classified inputs, as the prediction log's writer rewrites logged requests.
public struct HashedInputs: Sendable, Hashable, Codable {
    /// Every classified column of the model's contract table, features or not: their
    /// values are replaced by keyed hashes.
    public var names: [String]
    /// Every feature in the model's order: the columns of a request's single `[N, F]` tensor.
    public var features: [String]
    /// Every column of the contract table: the only inputs a rewritten request keeps.
    public var columns: [String]
    /// The classified columns of a numeric contract type: a value sent as text is hashed
    /// as the number it reads as.
    public var numeric: [String]

    public init(names: [String], features: [String], columns: [String], numeric: [String] = []) {
        self.names = names
        self.features = features
        self.columns = columns
        self.numeric = numeric
    }
}

/// One revision behind the gateway: its share of traffic and its servers' endpoints.
public struct RouteBackend: Sendable, Hashable, Codable {
    package var revision: Int
    package var version: Int
    package var role: RouteRole
    /// Percent of the model's traffic (the weights of a model add up to 100).
    package var weight: Int
    /// Where its servers answer: `http://HOST:PORT` URLs, or `http://HOST:PORT/PATH` for
    /// an application behind a proxy that keeps its route prefix in the request path (Ray
    /// Serve's, DESIGN §12): the gateway sends every request's target under `PATH`
    /// (`/PATH/v2/models/…`). Several replicas may share a URL (the proxy balances behind
    /// it). The gateway routes a backend without an endpoint it cannot use (another scheme,
    /// a query, …) and logs which and why.
    package var endpoints: [String]
    /// A mirror (`shadow`, `preview`; weight 0): this percent of the model's inference
    /// requests that other revisions answer is copied to it asynchronously. Its answers
    /// are counted and compared with the answers the clients got, never returned.
    package var mirrorPercent: Int?

    public init(revision: Int, version: Int, role: RouteRole, weight: Int, endpoints: [String], mirrorPercent: Int? = nil) {
        self.revision = revision
        self.version = version
        self.role = role
        self.weight = weight
        self.endpoints = endpoints
        self.mirrorPercent = mirrorPercent
    }

    enum CodingKeys: String, CodingKey {
        case revision, version, role, weight, endpoints, mirrorPercent
        /// Protocol 1: loopback ports.
        case ports
    }

    /// A table of protocol 1 (stored before an upgrade, or pushed by an older daemon)
    /// names loopback ports: they become `http://127.0.0.1:PORT` endpoints.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        revision = try container.decode(Int.self, forKey: .revision)
        version = try container.decode(Int.self, forKey: .version)
        role = try container.decode(RouteRole.self, forKey: .role)
        weight = try container.decode(Int.self, forKey: .weight)
        mirrorPercent = try container.decodeIfPresent(Int.self, forKey: .mirrorPercent)
        if let endpoints = try container.decodeIfPresent([String].self, forKey: .endpoints) {
            self.endpoints = endpoints
        } else {
            endpoints = try container.decode([Int].self, forKey: .ports).map { "http://127.0.0.1:\($0)" }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(revision, forKey: .revision)
        try container.encode(version, forKey: .version)
        try container.encode(role, forKey: .role)
        try container.encode(weight, forKey: .weight)
        try container.encode(endpoints, forKey: .endpoints)
        try container.encodeIfPresent(mirrorPercent, forKey: .mirrorPercent)
    }
}

/// What a revision is to the gateway.
public enum RouteRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// What serves: the rest of the traffic.
    case stable
    /// A canary's revision: its weighted share.
    case candidate
    /// A mirror whose answers are compared, never returned (`shadow` step).
    case shadow
    /// blueGreen's preview: a mirror, and what the header route reaches.
    case preview

    /// A mirror answers clients only through the header route.
    package var isMirror: Bool { self == .shadow || self == .preview }
}

public struct HeaderRouteTarget: Sendable, Hashable, Codable {
    package var name: String
    package var value: String
    package var revision: Int

    package init(name: String, value: String, revision: Int) {
        self.name = name
        self.value = value
        self.revision = revision
    }
}
