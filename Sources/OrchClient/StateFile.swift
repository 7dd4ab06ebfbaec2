import OrchProtocol
import OrchSystem

/// Where a running orch leaves its address and token: one file per project under
/// `$XDG_RUNTIME_DIR/orch/` or `/tmp/orch-$UID/` (0700), mode 0600.
public enum StateFile {
    public static func directory(environment: [String: String]) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty, Files.exists(runtime) {
            return runtime + "/orch"
        }
        return "/tmp/orch-\(Files.userID)"
    }

    /// The state file for a project directory (keyed by a hash of its path).
    public static func path(forProject project: String, environment: [String: String]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in project.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        let name = project.split(separator: "/").last.map(String.init) ?? "root"
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(40))
        return directory(environment: environment) + "/\(safe)-\(String(repeating: "0", count: 16 - hex.count))\(hex).json"
    }

    public enum Lookup: Equatable {
        case running(ControlEndpoint)
        case none
        /// A file was there but its pid is dead or not orch; it has been removed.
        case stale(pid: Int32)
    }

    /// Reads the state file; removes it when its orch is gone.
    public static func lookup(project: String, environment: [String: String]) -> Lookup {
        let path = path(forProject: project, environment: environment)
        guard let bytes = Files.read(path) else { return .none }
        guard let endpoint = try? Wire.decode(ControlEndpoint.self, from: bytes[...]) else {
            Files.remove(path)
            return .stale(pid: 0)
        }
        guard isOrch(endpoint.pid) else {
            Files.remove(path)
            return .stale(pid: endpoint.pid)
        }
        return .running(endpoint)
    }

    /// The pid is alive and runs orch (not a recycled pid).
    public static func isOrch(_ pid: Int32) -> Bool {
        guard pid > 0, Processes.isAlive(pid), let name = Processes.commandName(pid) else { return false }
        return name.hasPrefix("orch")
    }

    public static func write(_ endpoint: ControlEndpoint, environment: [String: String]) throws(SystemError) -> String {
        try Files.makePrivateDirectory(directory(environment: environment))
        let path = path(forProject: endpoint.project, environment: environment)
        try Files.writePrivate(path, Wire.encode(endpoint))
        return path
    }
}
