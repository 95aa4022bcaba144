/// `http://127.0.0.1:PORT` for each port: the endpoints of servers a test runs on loopback.
public func loopbackEndpoints(_ ports: [Int]) -> [String] {
    ports.map { "http://127.0.0.1:\($0)" }
}
