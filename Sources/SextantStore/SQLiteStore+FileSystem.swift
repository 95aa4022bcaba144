import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SQLiteStore {
    /// Why a daemon could not write the store in `directory` now, as far as the file
    /// system tells (full, or mounted read-only); nil when it looks writable.
    ///
    /// For readers of the database (`status --state-dir`): a daemon that cannot write
    /// cannot record that it cannot, so they look at the file system themselves.
    public static func writeProblem(in directory: String) -> String? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        if stats.f_flag & UInt(ST_RDONLY) != 0 {
            return "the file system that holds \(directory) is mounted read-only"
        }
        // SQLite grows its write-ahead log a few pages at a time: less than this is full.
        let available = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
        if available < 1 << 20 {
            return "the file system that holds \(directory) is full (\(available / 1024) KiB free)"
        }
        return nil
    }
}
