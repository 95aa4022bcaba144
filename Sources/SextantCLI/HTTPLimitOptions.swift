import ArgumentParser
import SextantHTTP

/// What clients of the data plane's servers may send, and how slowly: shared by `gateway`
/// and `serve-model` (see `HTTPLimits` for the semantics, nginx's).
struct HTTPLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The largest request body taken, in bytes: a larger one gets 413 (by its Content-Length, before it is read; a chunked one once it grows past) and its connection closes.", valueName: "bytes"))
    var maxRequestBytes: Int = HTTPLimits.defaultMaxRequestBytes

    @Option(help: ArgumentHelp("How long a request head may take from its first byte, e.g. 10s (then 408 and close).", valueName: "duration"))
    var headerTimeout: String = "10s"

    @Option(help: ArgumentHelp("How long a request body may pause while it is read, e.g. 30s (then 408 and close; a body shorter than its Content-Length ends so).", valueName: "duration"))
    var bodyTimeout: String = "30s"

    @Option(help: ArgumentHelp("How long a keep-alive connection may wait for its next request, e.g. 75s (then it closes).", valueName: "duration"))
    var idleTimeout: String = "75s"

    func validate() throws {
        guard maxRequestBytes > 0 else { throw ValidationError("--max-request-bytes \(maxRequestBytes) must be a positive number of bytes, e.g. 67108864 (64 MiB)") }
        for (flag, text) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)] {
            guard RunCommand.duration(text, positive: true) != nil else { throw ValidationError("\(flag) \(text) is not a duration such as 10s or 500ms") }
        }
    }

    var limits: HTTPLimits {
        HTTPLimits(maxRequestBytes: maxRequestBytes, headerTimeout: RunCommand.duration(headerTimeout, positive: true)!,
                   bodyTimeout: RunCommand.duration(bodyTimeout, positive: true)!, idleTimeout: RunCommand.duration(idleTimeout, positive: true)!)
    }
}
