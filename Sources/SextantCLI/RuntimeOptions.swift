import ArgumentParser
import Foundation

/// `--runtime` and the Ray cluster's flags (DESIGN §12): where models train and serve.
struct RuntimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where external trainers and model servers run: embedded (processes on this machine) or ray (a Ray cluster, --ray-address).",
                               valueName: "runtime"))
    var runtime: RuntimeKind = .embedded

    @Option(help: ArgumentHelp("With --runtime ray: the Ray dashboard's URL, whose REST APIs run jobs and Serve applications, e.g. http://127.0.0.1:8265.",
                               valueName: "url"))
    var rayAddress: String?

    @Option(help: ArgumentHelp("With --runtime ray: the port of Ray Serve's HTTP proxy on 127.0.0.1, when Sextant starts Serve (a running Serve keeps its own).",
                               valueName: "port"))
    var rayServePort: Int = 8000

    func validate() throws {
        switch runtime {
        case .embedded:
            guard rayAddress == nil else { throw ValidationError("--ray-address needs --runtime ray") }
        case .ray:
            guard let rayAddress else {
                throw ValidationError("--runtime ray needs --ray-address, the Ray dashboard's URL, e.g. --ray-address http://127.0.0.1:8265")
            }
            guard let url = URLComponents(string: rayAddress), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
                throw ValidationError("--ray-address \(rayAddress) is not an http(s) URL, e.g. http://127.0.0.1:8265")
            }
        }
        guard (1...65535).contains(rayServePort) else { throw ValidationError("--ray-serve-port \(rayServePort) is not a port (1-65535)") }
    }

    /// The choice as the daemon's configuration holds it; `validate()` checked it.
    var choice: RuntimeChoice {
        switch runtime {
        case .embedded: .embedded
        case .ray: .ray(address: rayAddress ?? "", servePort: rayServePort)
        }
    }
}

enum RuntimeKind: String, ExpressibleByArgument, CaseIterable {
    case embedded, ray
}

/// Where models train and serve.
package enum RuntimeChoice: Sendable, Hashable {
    case embedded
    /// A Ray cluster's dashboard URL, and the port of Serve's proxy when Sextant starts it.
    case ray(address: String, servePort: Int)
}
