/// What `GET /api/serve/applications/` says of Serve (Ray 2.60's `ServeInstanceDetails`,
/// the fields Sextant reads): each application's state and deployments, and the proxies.
/// With Serve not started, both are empty.
public struct ServeStatus: Decodable, Equatable, Sendable {
    /// By application name.
    public let applications: [String: ServeApplicationStatus]
    /// By node id.
    public let proxies: [String: ServeProxyStatus]
    /// Where the running proxy listens; nil before Serve starts.
    public let httpOptions: ServeHTTPOptions?

    enum CodingKeys: String, CodingKey {
        case applications, proxies
        case httpOptions = "http_options"
    }
}

/// One application (`ApplicationDetails`).
public struct ServeApplicationStatus: Decodable, Equatable, Sendable {
    public let name: String
    public let status: ServeApplicationState
    /// Why it failed to deploy or is unhealthy; empty otherwise.
    public let message: String
    public let routePrefix: String?
    /// By deployment name.
    public let deployments: [String: ServeDeploymentStatus]

    enum CodingKeys: String, CodingKey {
        case name, status, message, deployments
        case routePrefix = "route_prefix"
    }
}

/// One deployment of an application (`DeploymentDetails`) and its replicas.
public struct ServeDeploymentStatus: Decodable, Equatable, Sendable {
    public let name: String
    public let status: ServeDeploymentState
    public let message: String
    public let targetReplicas: Int
    public let replicas: [ServeReplicaStatus]

    enum CodingKeys: String, CodingKey {
        case name, status, message, replicas
        case targetReplicas = "target_num_replicas"
    }
}

/// One replica (`ReplicaDetails`).
public struct ServeReplicaStatus: Decodable, Equatable, Sendable {
    public let replicaID: String
    public let state: ServeReplicaState

    enum CodingKeys: String, CodingKey {
        case replicaID = "replica_id"
        case state
    }
}

/// One node's HTTP proxy (`ProxyDetails`).
public struct ServeProxyStatus: Decodable, Equatable, Sendable {
    public let nodeIP: String?
    public let status: ServeProxyState

    enum CodingKeys: String, CodingKey {
        case nodeIP = "node_ip"
        case status
    }
}
