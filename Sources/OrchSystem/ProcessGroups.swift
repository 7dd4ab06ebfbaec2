import Glibc

extension Processes {
    /// CPU time and memory of a whole process group.
    public struct Usage: Sendable, Equatable {
        /// utime+stime of every live member, in clock ticks.
        public var cpuTicks = 0
        /// Resident pages of every live member.
        public var residentPages = 0
        public var members = 0
    }

    /// The usage of each of `groups` (orch's instances, each leading its own group),
    /// summed over every member, so a `sh -c` leader counts with the program it
    /// started. Walks only orch's own tree (`/proc/PID/task/TID/children`, `proc(5)`):
    /// members are descendants of their leader or, once orphaned, orch's children;
    /// the cost follows orch's processes, not the machine's.
    public static func usage(ofGroups groups: Set<Int32>) -> [Int32: Usage] {
        guard !groups.isEmpty else { return [:] }
        var result: [Int32: Usage] = [:]
        var stack = Array(groups) + directChildren(of: currentPID)
        var seen = Set<Int32>()
        while let pid = stack.popLast() {
            guard seen.insert(pid).inserted, let info = stat(of: pid), groups.contains(info.group) else { continue }
            if info.state != "Z" {
                var usage = result[info.group] ?? Usage()
                usage.cpuTicks += info.cpuTicks
                usage.residentPages += info.residentPages
                usage.members += 1
                result[info.group] = usage
            }
            stack.append(contentsOf: directChildren(of: pid))
        }
        return result
    }

    /// Children of `pid` from `/proc/PID/task/*/children`, zombies included.
    static func directChildren(of pid: Int32) -> [Int32] {
        guard let tasks = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(tasks) }
        var result: [Int32] = []
        while let entry = readdir(tasks) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard Int32(name) != nil, let text = readSmallFile("/proc/\(pid)/task/\(name)/children") else { continue }
            for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                if let child = Int32(word) { result.append(child) }
            }
        }
        return result
    }
}
