import OrchConfig

/// Something the supervisor tells its user about. The core emits these as values;
/// the terminal line, `--log-format json` and `orch ctl events` are all formatted
/// from them (`text`, `kind`, `instance`), so the three always agree.
public enum SupervisorEvent: Sendable, Equatable {
    case started(instance: String, pid: Int32)
    case exited(instance: String, Termination)
    case ready(instance: String)
    case notReady(instance: String, checks: Int, detail: String)
    case stopping(instance: String, signal: Int32)
    case stopped(instance: String)
    case killedAfterTimeout(instance: String, timeout: Duration)
    case restartingIn(instance: String, delay: Duration)
    case gaveUp(instance: String, restarts: Int)
    case cannotStart(instance: String, reason: String)
    case notStarted(instance: String, reason: String)
    /// Exit 126 or 127 right after the start: the shell could not run the command.
    case commandNotRunnable(instance: String, command: String, termination: Termination)
    case waitingForPort(instance: String, port: UInt16)
    case changed(process: String, path: String, others: Int)
    /// The restart-loop guard paused a process's watching; `path` kept changing.
    case watchPaused(process: String, path: String, restarts: Int, window: Duration)
    case restarting(process: String, reason: String)
    case scaled(process: String, count: Int)
    case endedBeforeTargets(instance: String, targets: [String])
    /// A process ran past its `timeout` and is stopped (exit 124).
    case timedOut(instance: String, limit: Duration)
    /// `orch run --timeout-all` ran out.
    case runTimedOut(limit: Duration)
    /// `orch run --fail-fast`: a target failed.
    case failFast(instance: String)
    case shutdown(ShutdownReason)
    case killingAll
    /// A line of the runtime's own (file watches, system errors).
    case note(String)

    /// Whether it reports a failure: the quiet one-off (`orch run -- CMD` without
    /// --needs), whose output is the command's own, shows only those, chosen by case
    /// and never by the text.
    public var isFailure: Bool {
        switch self {
        case .cannotStart, .notStarted, .timedOut, .runTimedOut, .killedAfterTimeout, .notReady, .commandNotRunnable,
             .gaveUp, .endedBeforeTargets, .failFast:
            return true
        default: return false
        }
    }

    /// What the event is, as one word: `started`, `exited`, `ready`, …
    public var kind: String {
        switch self {
        case .started: return "started"
        case .exited: return "exited"
        case .ready: return "ready"
        case .notReady: return "not-ready"
        case .stopping: return "stopping"
        case .stopped: return "stopped"
        case .killedAfterTimeout: return "killed"
        case .restartingIn: return "restarting"
        case .gaveUp: return "gave-up"
        case .cannotStart: return "cannot-start"
        case .notStarted: return "not-started"
        case .commandNotRunnable: return "not-runnable"
        case .waitingForPort: return "waiting-for-port"
        case .changed: return "changed"
        case .watchPaused: return "watch-paused"
        case .restarting: return "restart"
        case .scaled: return "scaled"
        case .endedBeforeTargets: return "ended-early"
        case .timedOut: return "timed-out"
        case .runTimedOut: return "run-timed-out"
        case .failFast: return "fail-fast"
        case .shutdown: return "shutdown"
        case .killingAll: return "kill-all"
        case .note: return "note"
        }
    }

    /// The instance or process it is about, if any.
    public var subject: String? {
        switch self {
        case let .started(name, _), let .exited(name, _), let .ready(name), let .notReady(name, _, _),
             let .stopping(name, _), let .stopped(name), let .killedAfterTimeout(name, _), let .restartingIn(name, _),
             let .gaveUp(name, _), let .cannotStart(name, _), let .notStarted(name, _), let .commandNotRunnable(name, _, _),
             let .waitingForPort(name, _), let .changed(name, _, _), let .watchPaused(name, _, _, _), let .restarting(name, _), let .scaled(name, _),
             let .endedBeforeTargets(name, _), let .timedOut(name, _), let .failFast(name):
            return name
        case .shutdown, .killingAll, .note, .runTimedOut:
            return nil
        }
    }

    /// The line shown after `orch | `.
    public var text: String {
        switch self {
        case let .started(name, pid): return "\(name) started (pid \(pid))"
        case let .exited(name, termination): return "\(name) exited with \(termination)"
        case let .ready(name): return "\(name) is ready"
        case let .notReady(name, checks, detail):
            return "\(name) did not become ready after \(checks) checks\(detail.isEmpty ? "" : ": \(detail)")"
        case let .stopping(name, signal): return "\(name) stopping (SIG\(SignalName.name(signal)))"
        case let .stopped(name): return "\(name) stopped"
        case let .killedAfterTimeout(name, timeout): return "\(name) killed after \(timeout.humanDescription) timeout (SIGKILL)"
        case let .restartingIn(name, delay): return "\(name) restarting in \(delay.humanDescription)"
        case let .gaveUp(name, max): return "\(name) gave up after \(max) restart\(max == 1 ? "" : "s")"
        case let .cannotStart(name, reason): return "\(name): cannot start: \(reason)"
        case let .notStarted(name, reason): return "\(name): not started: \(reason)"
        case let .commandNotRunnable(name, command, termination):
            let what = termination == .exited(126) ? "not executable" : "command not found"
            return "\(name): \(command): \(what) (exit \(termination.code)); not restarting"
        case let .waitingForPort(name, port): return "\(name) waiting for port \(port) to be free"
        case let .changed(process, path, others):
            return "\(process) changed: \(path)\(others > 0 ? " and \(others) more" : ""), restarting"
        case let .watchPaused(process, path, restarts, window):
            return "\(process) restarted \(restarts) times in \(window.humanDescription) by file changes (\(path) kept changing): watching paused; save another file or `orch ctl restart \(process)` to resume"
        case let .restarting(process, reason): return "\(process) restarting: \(reason)"
        case let .scaled(process, count): return "\(process) scaled to \(count)"
        case let .endedBeforeTargets(name, targets): return "\(name) ended before \(targets.joined(separator: ", ")) finished"
        case let .timedOut(name, limit): return "\(name) timed out after \(limit.humanDescription)"
        case let .runTimedOut(limit): return "the run timed out after \(limit.humanDescription), --timeout-all, stopping"
        case let .failFast(name): return "\(name) failed: stopping the run (--fail-fast)"
        case let .shutdown(.signal(signal)): return "received SIG\(SignalName.name(signal)), stopping"
        case .shutdown(.outputClosed): return "output closed, stopping"
        case .shutdown(.request): return "shutdown requested, stopping"
        case .killingAll: return "killing all processes"
        case let .note(text): return text
        }
    }
}
