import OrchConfig

/// A point on the monotonic clock, in nanoseconds. The core never reads a clock:
/// every event comes with `now`.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }
    /// Saturating: a deadline past the end of time is the end of time.
    public static func + (a: Instant, d: Duration) -> Instant {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(d.nanoseconds)
        return Instant(nanoseconds: overflow ? (d.nanoseconds < 0 ? .min : .max) : sum)
    }
    public static func - (a: Instant, b: Instant) -> Duration {
        let (difference, overflow) = a.nanoseconds.subtractingReportingOverflow(b.nanoseconds)
        return .nanoseconds(overflow ? (a < b ? .min : .max) : difference)
    }
    public var description: String { "\(nanoseconds)ns" }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product &+ attoseconds / 1_000_000_000
    }

    /// `250ms`, `1.5s`, `2m`, `874µs`: how orch prints a duration to a person
    /// (whole units, rounded down; nanoseconds only below a microsecond).
    public var humanDescription: String {
        let ns = nanoseconds
        if ns == 0 { return "0ms" }
        if ns < 1_000 { return "\(ns)ns" }
        if ns < 1_000_000 { return "\(ns / 1000)µs" }
        if ns < 1_000_000_000 { return "\(ns / 1_000_000)ms" }
        if ns < 60_000_000_000 {
            let tenths = ns / 100_000_000
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = ns / 1_000_000_000
        return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m\(seconds % 60)s"
    }
}

/// How a process ended.
public enum Termination: Equatable, Hashable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The exit code orch reports: the code, or 128+N for a signal death.
    public var code: Int32 {
        switch self {
        case let .exited(code): return code
        case let .signaled(signal): return 128 + signal
        }
    }

    public var succeeded: Bool { self == .exited(0) }

    /// `exit code 1`, `signal TERM`
    public var description: String {
        switch self {
        case let .exited(code): return "exit code \(code)"
        case let .signaled(signal): return "signal \(SignalName.name(signal))"
        }
    }
}

/// What orch was asked to do.
public enum Mode: Sendable, Equatable {
    /// `orch up`: run until stopped; foreman's exit rule.
    case up
    /// `orch run`: run until the targets have finished, then stop the rest.
    case run(targets: Set<String>)
}

/// Why orch is stopping.
public enum ShutdownReason: Sendable, Equatable {
    /// SIGINT, SIGTERM or SIGHUP; `code` is what orch exits with.
    case signal(Int32)
    /// orch's stdout went away (EPIPE).
    case outputClosed
    /// A control client asked.
    case request
}

/// Input to the state machine.
public enum Event: Sendable, Equatable {
    /// Start the selected processes.
    case start
    /// The runtime started an instance (answer to `.spawn`).
    case spawned(instance: String, pid: Int32)
    /// The runtime could not start an instance; `reason` says which step failed.
    case spawnFailed(instance: String, reason: String)
    /// Answer to `.checkPort`: whether something already accepts connections there.
    case portChecked(instance: String, busy: Bool)
    /// An instance's leader was reaped; `groupEmpty` when nothing of its group is left.
    case exited(instance: String, pid: Int32, termination: Termination, groupEmpty: Bool)
    /// The rest of an exited leader's process group is gone.
    case groupEmpty(instance: String, pid: Int32)
    /// A readiness probe finished.
    case probeFinished(instance: String, pid: Int32, passed: Bool, detail: String)
    /// A deadline passed (`nextDeadline`).
    case tick
    /// Stop everything gracefully.
    case shutdown(ShutdownReason)
    /// Second Ctrl-C: kill everything now.
    case killAll
    /// Forward a signal to every running process group (SIGUSR1, SIGUSR2).
    case forward(signal: Int32)
    /// Restart instances of a process (file watch, control port): waits for the old group.
    case restart(process: String, reason: String)
    /// A control-port request.
    case request(Request)
    /// A watched file of a process changed (path as shown to the user); `removed`
    /// when it was deleted or renamed away.
    case fileChanged(process: String, path: String, removed: Bool = false)
    /// The config file or an env file it reads was saved (path as shown to the user).
    case configChanged(path: String)
}

/// What a control client asked for. Instance names are resolved by `Supervisor.resolve`.
public enum Request: Sendable, Equatable {
    case start([String])
    case stop([String])
    case restart([String])
    case signal([String], signal: Int32)
    case scale(process: String, count: Int)
    case reload(ProjectSpec)
}

/// Output of the state machine, executed by the runtime in order.
public enum Effect: Sendable, Equatable {
    case spawn(InstanceSpec)
    /// Look, without blocking, whether something accepts connections on host:port;
    /// answered with `.portChecked`.
    case checkPort(instance: String, host: String, port: UInt16)
    /// Signal the process group led by `pid`.
    case signalGroup(instance: String, pid: Int32, signal: Int32)
    /// Start one readiness check (tcp, http, exec). Log checks are matched by the runtime.
    case probe(instance: String, pid: Int32, check: ProbeCheck, timeout: Duration)
    /// Something happened that orch tells its user about.
    case event(SupervisorEvent)
    /// Signal the orphans orch has inherited (double-forked daemons).
    case signalOrphans(signal: Int32)
    /// Everything has stopped; exit with this code.
    case exit(Int32)
    /// Read the config again and apply it as `orch ctl reload` does; `changed` names
    /// the saved file for the message.
    case reloadConfig(changed: String)
}
