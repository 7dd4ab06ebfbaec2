import COrchShim
import Glibc

/// Why a child could not be started: the step of the child side that failed, and its errno.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Step: String, Sendable {
        case fork, setsid, pdeathsig, dup2, chdir, execve, signals, tty
    }
    public var step: Step
    public var errno: Int32
    /// What the step worked on (the directory for chdir, the program for execve).
    public var subject: String

    /// `chdir /x: No such file or directory`
    public var description: String {
        let reason = SystemError.describe(errno)
        return subject.isEmpty ? "\(step.rawValue): \(reason)" : "\(step.rawValue) \(subject): \(reason)"
    }
}

/// Starts children with fork(2)+execve(2), the child side entirely in C (`orch_spawn`).
public enum Spawner {
    /// Starts `path` with `arguments` (argv[0] included) in a new session, so the child
    /// leads its own process group; stdin/stdout/stderr from the given fds (the caller
    /// closes its copies); PR_SET_PDEATHSIG; signal mask and dispositions reset; the
    /// guardian's marker (`Guardian.marker`) added to `environment`.
    /// `foreground`: instead of a new session, a process group of its own in orch's
    /// session, given the terminal when orch holds it (see `orch_spawn`).
    public static func spawn(
        path: String, arguments: [String], environment: [String: String], cwd: String?,
        stdin: Int32, stdout: Int32, stderr: Int32, controllingTerminal: Bool = false, foreground: Bool = false
    ) throws(SpawnError) -> Int32 {
        let terminalMode: Int32 = foreground ? 2 : controllingTerminal ? 1 : 0
        var environment = environment
        // Set last, so no config can hide a child from the guardian.
        if let marker = Guardian.marker { environment[Guardian.markerName] = marker }
        let envStrings = environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        var step: Int32 = 0
        let rc = withCStrings(arguments) { argv in
            withCStrings(envStrings) { envp in
                if let cwd {
                    return cwd.withCString { orch_spawn(path, argv, envp, $0, stdin, stdout, stderr, terminalMode, &pid, &step) }
                }
                return orch_spawn(path, argv, envp, nil, stdin, stdout, stderr, terminalMode, &pid, &step)
            }
        }
        if rc == 0 { return pid }
        let failed: SpawnError.Step
        var subject = ""
        switch Int(step) {
        case Int(ORCH_STEP_SETSID): failed = .setsid
        case Int(ORCH_STEP_PDEATHSIG): failed = .pdeathsig
        case Int(ORCH_STEP_DUP2): failed = .dup2
        case Int(ORCH_STEP_CHDIR): failed = .chdir; subject = cwd ?? ""
        case Int(ORCH_STEP_EXECVE): failed = .execve; subject = path
        case Int(ORCH_STEP_SIGNALS): failed = .signals
        case Int(ORCH_STEP_TTY): failed = .tty
        default: failed = .fork
        }
        throw SpawnError(step: failed, errno: rc, subject: subject)
    }

    /// The program a PATH search finds for `name` (execvp(3)'s rule), using the
    /// child's PATH; nil when none is executable.
    public static func findExecutable(_ name: String, path: String?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
