#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SextantCore

/// The fields of `/proc/PID/stat` (proc(5)) the supervisor reads: what a process is, and
/// what it has used.
struct ProcessStat: Sendable, Hashable {
    var pid: Int32
    /// `R`, `S`, `D`, `Z` (exited, not yet waited for), `X`, …
    var state: Character
    var processGroup: Int32
    /// User and system CPU time in clock ticks, its own and that of the children it waited for.
    var cpuTicks: UInt64
    /// In clock ticks after boot: with the pid, it names the process (pids are reused).
    var startTime: UInt64
    var residentPages: UInt64

    init(pid: Int32, state: Character, processGroup: Int32, cpuTicks: UInt64, startTime: UInt64, residentPages: UInt64) {
        self.pid = pid
        self.state = state
        self.processGroup = processGroup
        self.cpuTicks = cpuTicks
        self.startTime = startTime
        self.residentPages = residentPages
    }

    /// Parses a stat line: after `pid (comm) ` — comm may hold spaces and parentheses, so
    /// the fields start after the last `)` — state is field 3, pgrp 5, utime, stime, cutime
    /// and cstime 14 to 17, starttime 22 and rss 24.
    init?(_ line: String) {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), let pid = Int32(line[..<open].trimmingCharacters(in: .whitespaces)) else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        guard fields.count > 21, let state = fields[0].first, let group = Int32(fields[2]), let startTime = UInt64(fields[19]) else { return nil }
        // cutime and cstime are signed in the kernel's format; never negative in practice.
        let ticks = fields[11...14].map { Int64($0).map { UInt64(max(0, $0)) } }
        guard ticks.allSatisfy({ $0 != nil }) else { return nil }
        self.pid = pid
        self.state = state
        processGroup = group
        cpuTicks = ticks.reduce(0) { $0 + ($1 ?? 0) }
        self.startTime = startTime
        residentPages = UInt64(max(0, Int64(fields[21]) ?? 0))
    }

    static func read(_ pid: Int32) -> ProcessStat? {
        (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)).flatMap(ProcessStat.init)
    }

    /// Every process there is now.
    static func all() -> [ProcessStat] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0).flatMap(read) }
    }

    /// Still running: not a zombie (exited, not yet waited for) nor dead.
    var isLive: Bool { state != "Z" && state != "X" }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    static let pageBytes = UInt64(sysconf(Int32(_SC_PAGESIZE)))
}

extension ProcessIdentity {
    /// What each process that still runs uses together with its process group: the CPU
    /// time of every member (a member's includes the children it waited for, such as
    /// MLServer's exited workers) and their resident memory, from one walk of `/proc`.
    /// Members count when they started after the leader (a reused group number is not its).
    /// Shared pages count once per process, as `ps` shows them.
    static func groupUsage(_ leaders: [ProcessIdentity]) -> [ProcessIdentity: ResourceUsage] {
        guard !leaders.isEmpty else { return [:] }
        let byPid = Dictionary(leaders.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        var ticks: [ProcessIdentity: UInt64] = [:]
        var pages: [ProcessIdentity: UInt64] = [:]
        var running: Set<ProcessIdentity> = []
        for stat in ProcessStat.all() {
            let owner: ProcessIdentity
            if let leader = byPid[stat.pid], leader.startTime == stat.startTime {
                owner = leader
                if stat.isLive { running.insert(leader) }
            } else if let leader = byPid[stat.processGroup], stat.startTime >= leader.startTime {
                owner = leader
            } else {
                continue
            }
            ticks[owner, default: 0] += stat.cpuTicks
            pages[owner, default: 0] += stat.residentPages
        }
        var usage: [ProcessIdentity: ResourceUsage] = [:]
        for leader in running {
            usage[leader] = ResourceUsage(cpuSeconds: Double(ticks[leader] ?? 0) / ProcessStat.ticksPerSecond,
                                          residentBytes: Int(clamping: (pages[leader] ?? 0) * ProcessStat.pageBytes))
        }
        return usage
    }
}
