import COrchShim
import Glibc

/// How a child ended.
public enum ExitStatus: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
}

/// Process-level calls: reaping, signalling, liveness from /proc.
public enum Processes {
    /// `prctl(PR_SET_CHILD_SUBREAPER)`: orphaned descendants become orch's to reap.
    public static func becomeSubreaper() throws(SystemError) {
        try check(orch_set_child_subreaper(), "prctl", "PR_SET_CHILD_SUBREAPER")
    }

    /// Reaps every exited child (`waitpid(-1, WNOHANG)` in a loop: SIGCHLD coalesces).
    public static func reapAll() -> [(pid: Int32, status: ExitStatus)] {
        var result: [(Int32, ExitStatus)] = []
        while true {
            var pid: pid_t = 0
            var status: Int32 = 0
            guard orch_reap_any(&pid, &status) == 0, pid > 0 else { return result }
            var code: Int32 = 0
            var signo: Int32 = 0
            switch orch_decode_status(status, &code, &signo) {
            case 1: result.append((pid, .exited(code)))
            case 2: result.append((pid, .signaled(signo)))
            default: continue
            }
        }
    }

    /// kill(2). Returns false when the target does not exist (ESRCH).
    @discardableResult
    public static func signal(_ pid: Int32, _ signo: Int32) -> Bool {
        orch_kill(pid, signo) != ESRCH
    }

    /// Signals every process of the group led by `pgid`.
    @discardableResult
    public static func signalGroup(_ pgid: Int32, _ signo: Int32) -> Bool {
        guard pgid > 1 else { return false }
        return orch_kill(-pgid, signo) != ESRCH
    }

    /// True while any process (zombies included) is in the group.
    public static func groupExists(_ pgid: Int32) -> Bool {
        guard pgid > 1 else { return false }
        return orch_kill(-pgid, 0) != ESRCH
    }

    public static var currentPID: Int32 { getpid() }

    /// The state letter of `/proc/PID/stat` (R, S, D, Z, T, …), nil when gone.
    public static func state(of pid: Int32) -> Character? {
        stat(of: pid)?.state
    }

    /// True when the process exists and is not a zombie (`kill(pid, 0)` succeeds on zombies).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let s = state(of: pid) else { return false }
        return s != "Z" && s != "X"
    }

    public struct Stat: Sendable {
        public var pid: Int32
        public var state: Character
        public var parent: Int32
        public var group: Int32
        public var session: Int32
        /// utime+stime in clock ticks.
        public var cpuTicks: Int
        /// Resident pages.
        public var residentPages: Int
    }

    /// Parses `/proc/PID/stat`; the command field may hold spaces and parentheses.
    public static func stat(of pid: Int32) -> Stat? {
        guard let text = readSmallFile("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count > 22, let state = rest[0].first,
              let ppid = Int32(rest[1]), let pgrp = Int32(rest[2]), let session = Int32(rest[3]),
              let utime = Int(rest[11]), let stime = Int(rest[12]), let rss = Int(rest[21]) else { return nil }
        return Stat(pid: pid, state: state, parent: ppid, group: pgrp, session: session, cpuTicks: utime + stime, residentPages: rss)
    }

    /// Pids of the processes whose parent is `parent` (orch's orphans after reparenting),
    /// zombies left out. Reads `/proc/PID/task/*/children` (cheap), else scans /proc.
    public static func children(of parent: Int32) -> [Int32] {
        if let tasks = opendir("/proc/\(parent)/task") {
            defer { closedir(tasks) }
            var result: [Int32] = []
            var found = false
            while let entry = readdir(tasks) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard Int32(name) != nil, let text = readSmallFile("/proc/\(parent)/task/\(name)/children") else { continue }
                found = true
                for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                    if let pid = Int32(word), state(of: pid) != "Z" { result.append(pid) }
                }
            }
            if found { return result }
        }
        return scanChildren(of: parent)
    }

    private static func scanChildren(of parent: Int32) -> [Int32] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var result: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), let info = stat(of: pid) else { continue }
            if info.parent == parent && info.state != "Z" { result.append(pid) }
        }
        return result
    }

    /// Reads a file of at most 64 KiB (a /proc entry); nil when it cannot be read.
    public static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        // /proc files are small: start with a page and grow to the 64 KiB cap only
        // when one is longer (zeroing 64 KiB up front cost orch ctl 16 page faults a read).
        var buffer = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < 65536 {
            if total == buffer.count { buffer += [UInt8](repeating: 0, count: min(buffer.count, 65536 - total)) }
            guard case let .bytes(n)? = try? Descriptor.read(fd, into: &buffer, offset: total) else { break }
            total += n
        }
        return String(decoding: buffer[..<total], as: UTF8.self)
    }

    public static var clockTicksPerSecond: Int { Int(sysconf(Int32(_SC_CLK_TCK))) }
    public static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }
    /// The most bytes of arguments and environment together that execve(2) takes
    /// (a quarter of the stack limit, at least 128 KiB).
    public static var argumentSpace: Int { max(Int(sysconf(Int32(_SC_ARG_MAX))), 128 << 10) }
    /// The longest single argument or `KEY=value` string execve(2) takes, NUL
    /// included: the kernel's MAX_ARG_STRLEN, 32 pages of 4 KiB.
    public static let longestArgument = 32 * 4096
}
