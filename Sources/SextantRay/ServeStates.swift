/// A state Ray reports as a string, decoded into an enum; a value this version of Sextant
/// does not know is kept (`.other`), so a newer Ray does not make the whole answer unreadable.
protocol RayStateValue: Decodable {
    init(rayValue: String)
}

extension RayStateValue {
    public init(from decoder: any Decoder) throws {
        self.init(rayValue: try decoder.singleValueContainer().decode(String.self))
    }
}

/// `ApplicationStatus`.
public enum ServeApplicationState: Decodable, Equatable, Sendable, RayStateValue {
    case notStarted, deploying, deployFailed, running, unhealthy, deleting
    case other(String)

    init(rayValue: String) {
        self = switch rayValue {
        case "NOT_STARTED": .notStarted
        case "DEPLOYING": .deploying
        case "DEPLOY_FAILED": .deployFailed
        case "RUNNING": .running
        case "UNHEALTHY": .unhealthy
        case "DELETING": .deleting
        default: .other(rayValue)
        }
    }
}

/// `DeploymentStatus`.
public enum ServeDeploymentState: Decodable, Equatable, Sendable, RayStateValue {
    case updating, healthy, unhealthy, deployFailed, upscaling, downscaling
    case other(String)

    init(rayValue: String) {
        self = switch rayValue {
        case "UPDATING": .updating
        case "HEALTHY": .healthy
        case "UNHEALTHY": .unhealthy
        case "DEPLOY_FAILED": .deployFailed
        case "UPSCALING": .upscaling
        case "DOWNSCALING": .downscaling
        default: .other(rayValue)
        }
    }
}

/// `ReplicaState`.
public enum ServeReplicaState: Decodable, Equatable, Sendable, RayStateValue {
    case starting, updating, recovering, running, stopping, pendingMigration
    case other(String)

    init(rayValue: String) {
        self = switch rayValue {
        case "STARTING": .starting
        case "UPDATING": .updating
        case "RECOVERING": .recovering
        case "RUNNING": .running
        case "STOPPING": .stopping
        case "PENDING_MIGRATION": .pendingMigration
        default: .other(rayValue)
        }
    }
}

/// `ProxyStatus`.
public enum ServeProxyState: Decodable, Equatable, Sendable, RayStateValue {
    case starting, healthy, unhealthy, draining, drained
    case other(String)

    init(rayValue: String) {
        self = switch rayValue {
        case "STARTING": .starting
        case "HEALTHY": .healthy
        case "UNHEALTHY": .unhealthy
        case "DRAINING": .draining
        case "DRAINED": .drained
        default: .other(rayValue)
        }
    }
}
