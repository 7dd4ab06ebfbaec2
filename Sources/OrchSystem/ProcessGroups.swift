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

    /// The usage of each of `groups`, summed over every member found in one pass over
    /// `/proc` (`proc(5)`: field 5 of `/proc/PID/stat` is the group), so a `sh -c`
    /// leader counts with the program it started.
    public static func usage(ofGroups groups: Set<Int32>) -> [Int32: Usage] {
        guard !groups.isEmpty, let dir = opendir("/proc") else { return [:] }
        defer { closedir(dir) }
        var result: [Int32: Usage] = [:]
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), let info = stat(of: pid), groups.contains(info.group), info.state != "Z" else { continue }
            var usage = result[info.group] ?? Usage()
            usage.cpuTicks += info.cpuTicks
            usage.residentPages += info.residentPages
            usage.members += 1
            result[info.group] = usage
        }
        return result
    }
}
