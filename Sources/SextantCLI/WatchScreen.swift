import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--watch`: a view drawn again every interval until interrupted. On a terminal it is
/// drawn in the alternate screen from the top-left corner, so its header stays on top and
/// nothing scrolls, and the terminal is restored on exit, Ctrl-C, SIGTERM or SIGHUP.
/// Elsewhere every snapshot is printed whole, a blank line between them, with no escape codes.
enum WatchScreen {
    static let enter = "\u{1B}[?1049h\u{1B}[?25l"
    static let leave = "\u{1B}[?25h\u{1B}[?1049l"

    /// - Parameter frame: the view, fitted to the width it is given (nil: no limit).
    static func run(every interval: Duration, _ frame: (_ width: Int?) async throws -> String) async throws {
        guard Terminal.isTerminal else {
            var separator = ""
            while true {
                let text = try await frame(Terminal.width())
                print(separator + text, terminator: "")
                fflush(nil)
                separator = "\n"
                try await Task.sleep(for: interval)
            }
        }
        write(enter)
        restoreOnSignals()
        defer {
            write(leave)
            for number in handledSignals { signal(number, SIG_DFL) }
        }
        while true {
            let width = Terminal.width()
            let text = try await frame(width)
            write(draw(text, width: width, height: Terminal.height()))
            try await Task.sleep(for: interval)
        }
    }

    /// The frame as escape codes: home, each line cleared and written, the rest of the
    /// screen cleared. Lines are cut to the width and, past the height, replaced by a note,
    /// so the screen never scrolls.
    static func draw(_ text: String, width: Int?, height: Int?) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let height, lines.count > height {
            let hidden = lines.count - (height - 1)
            lines = Array(lines.prefix(height - 1)) + ["… \(hidden) more line\(hidden == 1 ? "" : "s"); a taller terminal shows them"]
        }
        if let width { lines = lines.map { $0.fitted(to: width) } }
        // Clearing before writing, not after: a line as wide as the screen leaves the cursor
        // on its last character, which an erase to the end of the line would take away.
        return "\u{1B}[H" + lines.map { "\u{1B}[2K" + $0 }.joined(separator: "\n") + "\u{1B}[J"
    }

    static let handledSignals = [SIGINT, SIGTERM, SIGHUP]

    /// Restores the terminal, then dies of the signal as it would have. A handler of the
    /// process, not a dispatch source: libdispatch on Linux reads signals through a
    /// signalfd with the signal ignored, and a signal the kernel hands to another thread
    /// (one that does not block it) is then discarded: Ctrl-C did nothing, now and then.
    private static func restoreOnSignals() {
        _ = watchLeaveBytes  // Made before a signal can need it: the handler only reads it.
        for number in handledSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                // Async-signal-safe only: write(2), signal(2), raise(3).
                _ = Glibc.write(STDOUT_FILENO, watchLeaveBytes.pointer, watchLeaveBytes.count)
                signal(number, SIG_DFL)
                raise(number)
            }
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// `WatchScreen.leave` in memory that is never freed or moved, for the signal handler (a
/// C function: it reads a global, captures nothing).
nonisolated(unsafe) private let watchLeaveBytes: (pointer: UnsafeMutablePointer<UInt8>, count: Int) = {
    let bytes = Array(WatchScreen.leave.utf8)
    let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
    pointer.initialize(from: bytes, count: bytes.count)
    return (pointer, bytes.count)
}()
