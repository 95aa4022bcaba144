import NIOHTTP1

/// What a request asks of a `ModelServer`, read from its method and the bytes of its path
/// (the query left out, empty segments skipped, as the router before it matched them):
/// no segment array and no string is made unless it goes into an error message.
enum ModelRoute: Equatable {
    /// `GET /v2/health/live`, `GET /v2/health/ready`, `GET /v2/models/{m}[/versions/{v}]/ready`.
    case ready
    /// `GET /v2`.
    case serverMetadata
    /// `GET /v2/models/{m}[/versions/{v}]`.
    case modelMetadata
    /// `POST /v2/models/{m}[/versions/{v}]/infer`.
    case infer
    /// A model endpoint of another model (404).
    case unknownModel(String)
    /// A model endpoint of another version of this model (404).
    case unknownVersion(String)
    /// No endpoint for this method and path (404).
    case noEndpoint

    /// - Parameters:
    ///   - name: the served model's name, as UTF-8.
    ///   - version: its version, as UTF-8.
    static func of(method: HTTPMethod, uri: String, name: [UInt8], version: [UInt8]) -> ModelRoute {
        var uri = uri
        return uri.withUTF8 { bytes in
            var path = PathSegments(bytes)
            guard let first = path.next(), path.matches(first, "v2") else { return .noEndpoint }
            guard let second = path.next() else { return method == .GET ? .serverMetadata : .noEndpoint }
            if path.matches(second, "health") {
                guard method == .GET, let third = path.next(), path.next() == nil,
                      path.matches(third, "live") || path.matches(third, "ready") else { return .noEndpoint }
                return .ready
            }
            guard path.matches(second, "models"), let model = path.next() else { return .noEndpoint }
            var wantedVersion: Range<Int>?
            var action = path.next()
            if let versions = action, path.matches(versions, "versions") {
                guard let number = path.next() else { return .noEndpoint }
                wantedVersion = number
                action = path.next()
            }
            guard path.next() == nil else { return .noEndpoint }
            let endpoint: ModelRoute
            switch (method, action) {
            case (.GET, nil): endpoint = .modelMetadata
            case (.GET, let action?) where path.matches(action, "ready"): endpoint = .ready
            case (.POST, let action?) where path.matches(action, "infer"): endpoint = .infer
            default: return .noEndpoint
            }
            guard bytes[model].elementsEqual(name) else { return .unknownModel(path.string(model)) }
            if let wantedVersion, !bytes[wantedVersion].elementsEqual(version) { return .unknownVersion(path.string(wantedVersion)) }
            return endpoint
        }
    }
}

/// The non-empty `/`-separated segments of a request target's path, as ranges of its bytes.
private struct PathSegments {
    let bytes: UnsafeBufferPointer<UInt8>
    private let end: Int
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        end = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
    }

    mutating func next() -> Range<Int>? {
        while position < end && bytes[position] == UInt8(ascii: "/") { position += 1 }
        guard position < end else { return nil }
        let start = position
        while position < end && bytes[position] != UInt8(ascii: "/") { position += 1 }
        return start..<position
    }

    func matches(_ segment: Range<Int>, _ literal: StaticString) -> Bool {
        guard segment.count == literal.utf8CodeUnitCount else { return false }
        let other = literal.utf8Start
        for offset in 0..<segment.count where bytes[segment.lowerBound + offset] != other[offset] { return false }
        return true
    }

    func string(_ segment: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[segment]), as: UTF8.self)
    }
}
