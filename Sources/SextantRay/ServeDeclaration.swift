/// The whole set of Serve applications a cluster should run, as `PUT
/// /api/serve/applications/` takes it (Ray 2.60's `ServeDeploySchema`): declarative, so an
/// application not listed is removed.
public struct ServeDeclaration: Encodable, Equatable, Sendable {
    public var httpOptions: ServeHTTPOptions
    public var applications: [ServeApplication]

    public init(httpOptions: ServeHTTPOptions, applications: [ServeApplication]) {
        self.httpOptions = httpOptions
        self.applications = applications
    }

    enum CodingKeys: String, CodingKey {
        case httpOptions = "http_options"
        case applications
    }
}

/// Where Serve's HTTP proxy listens. Serve takes these only when it first starts: a later
/// declaration with other options leaves the running proxy where it is.
public struct ServeHTTPOptions: Codable, Equatable, Sendable {
    /// 127.0.0.1 unless the proxy must be reached from other machines.
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }
}

/// One application (`ServeApplicationSchema`): its ingress deployment's import path, the
/// route prefix the proxy serves it under (kept in the request path the deployment sees),
/// its runtime environment and deployment overrides.
public struct ServeApplication: Codable, Hashable, Sendable {
    public var name: String
    /// `/MODEL/rN`: starts with `/`.
    public var routePrefix: String
    /// `MODULE:ATTRIBUTE`, found in the working directory.
    public var importPath: String
    public var runtimeEnv: RayRuntimeEnv
    public var deployments: [ServeDeployment]
    /// Given to the application builder, when `importPath` names one.
    public var args: [String: String]

    public init(name: String, routePrefix: String, importPath: String, runtimeEnv: RayRuntimeEnv = RayRuntimeEnv(),
                deployments: [ServeDeployment] = [], args: [String: String] = [:]) {
        self.name = name
        self.routePrefix = routePrefix
        self.importPath = importPath
        self.runtimeEnv = runtimeEnv
        self.deployments = deployments
        self.args = args
    }

    enum CodingKeys: String, CodingKey {
        case name
        case routePrefix = "route_prefix"
        case importPath = "import_path"
        case runtimeEnv = "runtime_env"
        case deployments, args
    }
}

/// How many replicas of one deployment of an application (`DeploymentSchema`), by its name in the code.
public struct ServeDeployment: Codable, Hashable, Sendable {
    public var name: String
    public var scale: ServeScale
    /// The CPUs Ray reserves for each replica (`ray_actor_options.num_cpus`; nil: the
    /// deployment's own choice, one CPU unless its code says otherwise).
    public var cpusPerReplica: Double?

    public init(name: String, scale: ServeScale, cpusPerReplica: Double? = nil) {
        self.name = name
        self.scale = scale
        self.cpusPerReplica = cpusPerReplica
    }

    enum CodingKeys: String, CodingKey {
        case name
        case numReplicas = "num_replicas"
        case autoscalingConfig = "autoscaling_config"
        case rayActorOptions = "ray_actor_options"
    }

    /// `ray_actor_options`, the part Sextant sets.
    struct ActorOptions: Codable, Hashable {
        var numCPUs: Double

        enum CodingKeys: String, CodingKey {
            case numCPUs = "num_cpus"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        if let autoscaling = try container.decodeIfPresent(ServeAutoscaling.self, forKey: .autoscalingConfig) {
            scale = .autoscaling(autoscaling)
        } else {
            scale = .replicas(try container.decodeIfPresent(Int.self, forKey: .numReplicas) ?? 1)
        }
        cpusPerReplica = try container.decodeIfPresent(ActorOptions.self, forKey: .rayActorOptions)?.numCPUs
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        switch scale {
        case .replicas(let count):
            try container.encode(count, forKey: .numReplicas)
        case .autoscaling(let autoscaling):
            try container.encode(autoscaling, forKey: .autoscalingConfig)
        }
        try container.encodeIfPresent(cpusPerReplica.map(ActorOptions.init), forKey: .rayActorOptions)
    }
}

/// A fixed number of replicas, or Serve's autoscaling between two bounds.
public enum ServeScale: Hashable, Sendable {
    case replicas(Int)
    case autoscaling(ServeAutoscaling)
}

/// `autoscaling_config`: Serve adds replicas when a replica has more than
/// `targetOngoingRequests` requests in flight, within `minReplicas...maxReplicas`.
public struct ServeAutoscaling: Codable, Hashable, Sendable {
    public var minReplicas: Int
    public var maxReplicas: Int
    public var targetOngoingRequests: Double

    public init(minReplicas: Int, maxReplicas: Int, targetOngoingRequests: Double) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.targetOngoingRequests = targetOngoingRequests
    }

    enum CodingKeys: String, CodingKey {
        case minReplicas = "min_replicas"
        case maxReplicas = "max_replicas"
        case targetOngoingRequests = "target_ongoing_requests"
    }
}
