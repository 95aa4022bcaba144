/// The daemon that blocks talking to `127.0.0.1:7070` need: the test starts `sextant run`
/// on the quickstart before such a block, waits until its first pass finished, and stops it
/// (SIGTERM) when the block ends. A block that starts its own daemon (`sextant run … &`)
/// gets none.
enum DocDaemon {
    static let url = "http://127.0.0.1:7070"

    static func isNeeded(by block: DocBlock) -> Bool {
        block.commands.contains { $0.text.contains("127.0.0.1:7070") }
            && !block.commands.contains { $0.text.contains("sextant run ") }
    }

    /// The commands run before the block's own: the daemon in the background, and a wait
    /// for `/readyz`.
    static func start(for block: DocBlock) -> [DocCommand] {
        let source = "\(block.source) (the daemon the test starts for it)"
        return [
            DocCommand(source: source, text: "sextant run --repo . --path examples/quickstart --listen 127.0.0.1:7070 --interval 2s &", quotedOutput: []),
            DocCommand(source: source, text: "curl -fsS --retry 60 --retry-connrefused --retry-delay 1 \(url)/readyz", quotedOutput: []),
        ]
    }
}
