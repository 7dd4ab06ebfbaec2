import OrchProtocol
import OrchSystem

/// Where a running orch leaves its address and token: one file per project under
/// `$XDG_RUNTIME_DIR/orch/` or `/tmp/orch-$UID/` (0700), mode 0600.
///
/// Both the server and the client trust the file only when the directory and the
/// file belong to the user and nobody else may write to them, and the pid in it is
/// an orch of the same user: in `/tmp` another local user could otherwise create
/// the directory first and plant a file that points `orch ctl` at their own server,
/// or makes `orch up` believe it is already running.
public enum StateFile {
    public static func directory(environment: [String: String]) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty, Files.exists(runtime) {
            return runtime + "/orch"
        }
        return "/tmp/orch-\(Files.userID)"
    }

    /// The state file for a project directory.
    public static func path(forProject project: String, environment: [String: String]) -> String {
        directory(environment: environment) + "/" + StateFileFormat.fileName(forProject: project)
    }

    public enum Lookup: Equatable {
        case running(ControlEndpoint)
        case none
        /// A file was there but its pid is dead or not orch; it has been removed.
        case stale(pid: Int32)
        /// The directory or the file may have been planted by someone else: the
        /// message says what and what to do.
        case untrusted(String)
    }

    /// Why `path` cannot be trusted as the state directory (or file), nil when it can.
    public static func problem(with path: String, isDirectory: Bool) -> String? {
        guard let info = Files.ownership(path) else { return nil }
        let me = Files.userID
        let what = isDirectory ? "state directory" : "state file"
        let fix = isDirectory
            ? "remove it (e.g. `rm -r \(path)`) so orch creates it again, or set XDG_RUNTIME_DIR to a private directory"
            : "remove it (`rm \(path)`)"
        if info.kind != (isDirectory ? .directory : .regularFile) {
            return "the \(what) \(path) is not a \(isDirectory ? "directory" : "regular file"): \(fix)"
        }
        if info.owner != me {
            return "the \(what) \(path) belongs to uid \(info.owner), not to you (uid \(me)): someone else may have planted it; \(fix)"
        }
        if info.writableByOthers {
            let mode = String(info.mode, radix: 8)
            return "the \(what) \(path) can be written by others (mode \(mode)): someone else may have planted a state file; \(fix)"
        }
        return nil
    }

    /// Reads the state file after checking its directory and itself; removes it when
    /// its orch is gone.
    public static func lookup(project: String, environment: [String: String]) -> Lookup {
        let directory = directory(environment: environment)
        if let problem = problem(with: directory, isDirectory: true) { return .untrusted(problem) }
        let path = path(forProject: project, environment: environment)
        if let problem = problem(with: path, isDirectory: false) { return .untrusted(problem) }
        guard let bytes = Files.read(path) else { return .none }
        guard let endpoint = StateFileFormat.decode(bytes) else {
            Files.remove(path)
            return .stale(pid: 0)
        }
        guard isOrch(endpoint.pid) else {
            Files.remove(path)
            return .stale(pid: endpoint.pid)
        }
        return .running(endpoint)
    }

    /// The pid is alive, runs orch (not a recycled pid) and runs as this user.
    public static func isOrch(_ pid: Int32) -> Bool {
        guard pid > 0, Processes.isAlive(pid), let name = Processes.commandName(pid),
              Processes.owner(of: pid) == Files.userID else { return false }
        return name.hasPrefix("orch") && name != "orch-guardian"
    }

    /// A state file that cannot be trusted, for the server (`orch up`).
    public struct Untrusted: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static func write(_ endpoint: ControlEndpoint, environment: [String: String]) throws -> String {
        let directory = directory(environment: environment)
        if let problem = problem(with: directory, isDirectory: true) { throw Untrusted(description: problem) }
        try Files.makePrivateDirectory(directory)
        let path = path(forProject: endpoint.project, environment: environment)
        if let problem = problem(with: path, isDirectory: false) { throw Untrusted(description: problem) }
        try Files.writePrivate(path, StateFileFormat.encode(endpoint))
        return path
    }
}
