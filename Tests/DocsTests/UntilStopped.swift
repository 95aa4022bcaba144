import Foundation

/// Commands that run until the reader presses Ctrl-C (`sextant run` in the foreground,
/// `--watch`, `--follow`, `curl -N` on a stream): the test lets them run for `seconds`,
/// then sends SIGTERM (SIGINT is ignored by commands a background job starts, as the test
/// may be), and SIGKILL 2 s later. They pass when they were still running then (or exited
/// 0), and their quote is compared with what they printed until then.
enum UntilStopped {
    static let seconds = 4

    static func matches(_ command: DocCommand) -> Bool {
        let text = command.text.trimmingCharacters(in: .whitespaces)
        guard !text.hasSuffix("&") else { return false }
        return text.hasPrefix("sextant run ")
            || [" --watch", " --follow", "curl -N ", "curl -sN "].contains { text.contains($0) }
    }
}
