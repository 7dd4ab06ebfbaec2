import OrchConfig
import OrchCore
import OrchSystem

/// What became of a spawn.
enum SpawnOutcome: ~Copyable {
    /// The leader runs; `output` is the read end of its stdout/stderr.
    case started(pid: Int32, output: FileDescriptor)
    case failed(reason: String)
}

/// One reaped leader or other child.
struct Reaped {
    var pid: Int32
    var termination: Termination
    /// The instance it led; nil for a check or an orphan.
    var instance: String?
    /// Nothing of its process group is left.
    var groupEmpty: Bool
}

/// orch's children: spawning instances into their own process groups, reaping them
/// (`waitpid(2)`), the groups that outlive their leader, and the orphans orch
/// inherits as a subreaper (`prctl(2)` PR_SET_CHILD_SUBREAPER).
final class ChildTable {
    let devNull: FileDescriptor
    /// Leader pid → instance name, for every instance whose leader is alive.
    private(set) var leaders: [Int32: String] = [:]
    /// The orphans `signalOrphans` has signalled: `finishOrphans` gives SIGTERM to
    /// every other child it finds, whenever it became orch's.
    private var signalledOrphans = Set<Int32>()
    /// Groups whose leader is gone but whose members are not: pid → instance name.
    private(set) var lingering: [Int32: String] = [:]

    init() throws(SystemError) {
        devNull = try FileDescriptor.devNull()
        try Processes.becomeSubreaper()
    }

    var hasLingering: Bool { !lingering.isEmpty }

    // MARK: - Spawning

    /// Starts an instance's leader in a new process group, its output on a pipe (or
    /// a pseudo-terminal with `pty`).
    func spawn(_ spec: InstanceSpec) -> SpawnOutcome {
        let read: FileDescriptor
        let write: FileDescriptor
        do {
            if spec.pty {
                let terminal = try Descriptor.pseudoTerminal()
                read = FileDescriptor(owning: terminal.master)
                write = FileDescriptor(owning: terminal.slave)
            } else {
                let pipe = try Descriptor.pipe(capacity: 256 << 10)
                read = FileDescriptor(owning: pipe.read)
                write = FileDescriptor(owning: pipe.write)
            }
        } catch {
            return .failed(reason: "\(error)")
        }
        let program = CommandLine.resolve(spec.command, environment: spec.environment)
        let stdin = spec.pty ? write.raw : devNull.raw
        var pid: Int32
        do {
            pid = try Spawner.spawn(
                path: program.path, arguments: program.arguments, environment: spec.environment,
                cwd: spec.cwd, stdin: stdin, stdout: write.raw, stderr: write.raw, controllingTerminal: spec.pty)
        } catch where error.step == .execve && error.errno == ENOEXEC_ && !program.arguments.starts(with: ["/bin/sh"]) {
            // A script without a #! line: the shell runs those.
            do {
                pid = try Spawner.spawn(
                    path: "/bin/sh", arguments: ["/bin/sh", "-c", spec.command], environment: spec.environment,
                    cwd: spec.cwd, stdin: stdin, stdout: write.raw, stderr: write.raw, controllingTerminal: spec.pty)
            } catch {
                return .failed(reason: "\(error)")
            }
        } catch {
            return .failed(reason: "\(error)")
        }
        _ = consume write
        leaders[pid] = spec.name
        return .started(pid: pid, output: read)
    }

    /// Records a leader started elsewhere (the foreground command of `orch run -- CMD`).
    func adopt(_ pid: Int32, as instance: String) {
        leaders[pid] = instance
    }

    /// Starts an `exec` readiness check in its own group, output discarded.
    func spawnCheck(_ command: String, environment: [String: String], cwd: String) throws(SpawnError) -> Int32 {
        try Spawner.spawn(
            path: "/bin/sh", arguments: ["/bin/sh", "-c", command], environment: environment,
            cwd: cwd, stdin: devNull.raw, stdout: devNull.raw, stderr: devNull.raw)
    }

    // MARK: - Reaping

    /// Every child that has exited since the last call. A leader whose group still
    /// has members is kept as lingering until `emptiedGroups` reports it.
    func reap() -> [Reaped] {
        Processes.reapAll().map { pid, status in
            let termination: Termination
            switch status {
            case let .exited(code): termination = .exited(code)
            case let .signaled(signal): termination = .signaled(signal)
            }
            guard let name = leaders.removeValue(forKey: pid) else {
                // A check's group, or an orphan: the guardian stops tracking a group once it is empty.
                if !Processes.groupExists(pid) { Guardian.forget(group: pid) }
                return Reaped(pid: pid, termination: termination, instance: nil, groupEmpty: true)
            }
            let groupEmpty = !Processes.groupExists(pid)
            if groupEmpty { Guardian.forget(group: pid) } else { lingering[pid] = name }
            return Reaped(pid: pid, termination: termination, instance: name, groupEmpty: groupEmpty)
        }
    }

    /// Lingering groups that have emptied since the last call: (leader pid, instance).
    /// A member whose parent is not orch can end without a SIGCHLD to us, so the loop
    /// asks again every 100 ms while any group lingers.
    func emptiedGroups() -> [(pid: Int32, instance: String)] {
        var emptied: [(pid: Int32, instance: String)] = []
        for (pid, name) in lingering where !Processes.groupExists(pid) {
            lingering.removeValue(forKey: pid)
            Guardian.forget(group: pid)
            emptied.append((pid, name))
        }
        return emptied
    }

    // MARK: - Orphans

    /// Signals the children orch has inherited (double-forked daemons), whole groups
    /// where they lead one; never an instance leader or a running check.
    func signalOrphans(_ signal: Int32, except isCheck: (Int32) -> Bool) {
        for pid in Processes.children(of: Processes.currentPID) where leaders[pid] == nil && !isCheck(pid) {
            let group = Processes.stat(of: pid)?.group ?? 0
            if group == pid { Processes.signalGroup(pid, signal) } else { Processes.signal(pid, signal) }
            signalledOrphans.insert(pid)
        }
    }

    /// After the last instance: wait up to `timeout` for orphans that got SIGTERM (and
    /// orphans inherited meanwhile, which get it now), then
    /// SIGKILL them, and reap everything, so nothing orch started outlives it.
    /// `pause` waits for a signal or the given deadline (monotonic ns).
    func finishOrphans(timeout: Duration, pause: (Int64) -> Void) {
        let me = Processes.currentPID
        let deadline = (Instant(nanoseconds: Clock.monotonicNanoseconds()) + timeout).nanoseconds
        var killed = false
        // These had their signal from `signalOrphans`. One inherited since (the child
        // of a daemon that the SIGTERM ended, possibly before this is called) gets its
        // own SIGTERM, not only the SIGKILL at the deadline.
        var signalled = signalledOrphans
        while true {
            _ = Processes.reapAll()
            let left = Processes.children(of: me)
            if left.isEmpty { return }
            if !killed {
                for pid in left where signalled.insert(pid).inserted {
                    let group = Processes.stat(of: pid)?.group ?? 0
                    if group == pid { Processes.signalGroup(pid, SIGTERM_) } else { Processes.signal(pid, SIGTERM_) }
                }
            }
            let now = Clock.monotonicNanoseconds()
            if now >= deadline && !killed {
                for pid in left { Processes.signalGroup(pid, SIGKILL_); Processes.signal(pid, SIGKILL_) }
                killed = true
            }
            pause(killed ? now + 10_000_000 : min(deadline, now + 50_000_000))
        }
    }
}
