import OrchConfig

/// Where an instance is in its life. Only `Supervisor.handle(_:now:)` moves it.
public enum InstanceState: Equatable, Sendable {
    /// Not started yet: waiting for its dependencies (or for `.start`).
    case waiting
    /// Its readiness check's port is held by someone else: starting it now would
    /// race them, and its check would pass on their server. `retryAt` is when orch
    /// looks again (nil while a look is in flight); `announced` once the user was told.
    case waitingForPort(host: String, port: UInt16, retryAt: Instant?, announced: Bool)
    /// `.spawn` was issued; the runtime answers with `.spawned` or `.spawnFailed`.
    case starting
    case running(pid: Int32, since: Instant, readiness: Readiness)
    /// Its group is being stopped with `stop` (kept here, so a reload cannot change a
    /// stop in flight). `deadline` is when SIGKILL follows (nil once sent);
    /// `leaderExit` is set once the leader has been reaped; `then` says what follows.
    case stopping(pid: Int32, deadline: Instant?, leaderExit: Termination?, then: AfterStop, stop: StopSpec)
    /// Waiting to restart.
    case backoff(until: Instant)
    /// Ended for good.
    case ended(Outcome)

    public var pid: Int32? {
        switch self {
        case let .running(pid, _, _), let .stopping(pid, _, _, _, _): return pid
        default: return nil
        }
    }

    public var isEnded: Bool {
        if case .ended = self { return true }
        return false
    }

    /// Alive or about to be: what `start` leaves alone and `stop` acts on.
    public var isActive: Bool {
        switch self {
        case .running, .starting, .backoff, .waiting, .waitingForPort: return true
        case .stopping, .ended: return false
        }
    }
}

/// The readiness of one run of an instance; a new run starts from scratch.
public struct Readiness: Equatable, Sendable {
    /// Its check passed during this run (or it has none).
    public var ready: Bool
    /// When the next check starts (nil: none planned, or a log check).
    var due: Instant?
    var inFlight = false
    var failures = 0
}

/// What follows once a stopping instance's whole group is gone.
public enum AfterStop: Equatable, Sendable {
    /// It exited on its own: apply the restart policy to its termination.
    case policy
    /// Stopped for failing its readiness check: a failure, under the restart policy.
    case notReady(String)
    /// Restart it (watch, control port).
    case restart
    /// Keep it stopped.
    case stop
}

/// How an instance ended for good.
public enum Outcome: Equatable, Sendable {
    /// It ran and exited, and will not be restarted.
    case exited(Termination)
    /// orch stopped it (shutdown or request).
    case stopped
    /// It never ran: spawn failed or a dependency can never be met.
    case failed(reason: String, code: Int32)
    /// It ran but its readiness check gave up (exit code 1).
    case notReady(reason: String)

    /// The code it counts as in orch's exit status; nil when it is not a failure.
    public var failureCode: Int32? {
        switch self {
        case let .exited(termination): return termination.succeeded ? nil : termination.code
        case let .failed(_, code): return code
        case .notReady: return 1
        case .stopped: return nil
        }
    }
}

/// Where the supervisor as a whole is.
public enum Phase: Equatable, Sendable {
    /// Starting and keeping processes; `firstFailure` decides the exit code if
    /// everything ends on its own.
    case supervising(firstFailure: Int32?)
    /// Stopping everything; orch will exit with `code`.
    case shuttingDown(code: Int32)
    /// Everything has stopped.
    case finished(code: Int32)
}

/// One replica of a process and everything the core knows about it.
public struct InstanceRecord: Sendable, Equatable {
    public var spec: InstanceSpec
    public var state: InstanceState = .waiting
    public var restarts = 0
    public var lastExit: Termination?
    /// Latched conditions, for dependents.
    public var everStarted = false
    public var everReady = false
    /// When the current (or last) run started.
    public var startedAt: Instant?
    /// When it first started and last ended, for `orch run`'s durations.
    public var firstStartedAt: Instant?
    public var lastExitedAt: Instant?
    var attempt = 0
    /// Stopped through the control port: stays stopped and is not an exit.
    public var stoppedOnRequest = false
    /// Scaled down or removed by a reload: dropped once it has ended.
    var retired = false
    /// Why it is being stopped for running too long (`timed out after 10m`); it then
    /// ends as failed with code 124.
    public var timedOut: String?

    public var name: String { spec.name }
    public var process: String { spec.process }

    /// Its readiness check passed during the current run (or it has none).
    public var ready: Bool {
        if case let .running(_, _, readiness) = state { return readiness.ready }
        return false
    }

    init(spec: InstanceSpec) { self.spec = spec }
}

/// The supervisor as a pure state machine: `handle(event, now) -> [Effect]`.
/// No syscalls, no clock reads, no randomness but a seeded generator.
public struct Supervisor: Sendable {
    public internal(set) var project: ProjectSpec {
        didSet { indexProcesses() }
    }
    /// Process name → position in `project.processes`.
    private var processIndex: [String: Int] = [:]
    /// Process name → the processes that depend on it.
    private var dependents: [String: Set<String>] = [:]
    public let mode: Mode
    public internal(set) var instances = InstanceTable()
    public private(set) var phase: Phase = .supervising(firstFailure: nil)
    /// The processes whose end decides `orch run`.
    public let targets: Set<String>
    /// The code of the first target to fail, in time (`orch run`).
    var firstTargetFailure: Int32?
    /// `--fail-fast`: the first target to fail stops the run.
    public var failFast = false
    /// `--timeout-all`: the whole run is stopped this long after `.start` (exit 124).
    public var runTimeout: Duration?
    /// When `runTimeout` runs out.
    public internal(set) var runDeadline: Instant?
    /// Changes seen per process, restarted once its debounce has passed.
    var pendingChanges: [String: PendingChange] = [:]
    /// A saved config waiting for its debounce, then reloaded.
    var pendingReload: (due: Instant, path: String)?
    /// Restarts by file change within the loop guard's window, per process.
    var watchRestarts: [String: [(at: Instant, path: String)]] = [:]
    /// Processes whose watching the loop guard paused → the paths that kept changing.
    var pausedWatches: [String: Set<String>] = [:]
    public var loopGuard = LoopGuard()
    private var random: SplitMix64
    private let jitter: Double

    /// A process that exits 126 or 127 within this long of its start could not be
    /// run at all (tini's and the shell's convention): restarting it cannot help.
    static let notRunnableWindow: Duration = .seconds(1)

    public var shuttingDown: Bool {
        if case .supervising = phase { return false }
        return true
    }

    public var finished: Bool {
        if case .finished = phase { return true }
        return false
    }

    /// What orch exits with, once it is stopping.
    public var exitCode: Int32? {
        switch phase {
        case .supervising: return nil
        case let .shuttingDown(code), let .finished(code): return code
        }
    }

    /// - Parameters:
    ///   - selected: process names to run with their dependencies (nil = all).
    ///   - jitter: backoff randomisation, ±fraction of the delay.
    public init(project: ProjectSpec, selected: [String]? = nil, mode: Mode = .up, seed: UInt64 = 0x9E37_79B9, jitter: Double = 0.1) {
        self.project = project
        self.mode = mode
        defer { indexProcesses() }
        self.random = SplitMix64(seed: seed)
        self.jitter = jitter
        var roots: [String]
        switch mode {
        case .up:
            // `autostart: false` keeps a process out unless it is named (or needed).
            roots = selected ?? project.processes.filter(\.autostart).map(\.name)
            targets = []
        case let .run(named):
            let names = named.isEmpty ? project.processes.filter { $0.kind == .job }.map(\.name) : Array(named)
            roots = names
            targets = Set(names)
        }
        let chosen = Supervisor.closure(of: roots, in: project)
        for process in project.processes {
            // Held back by `autostart: false` (only when nothing was named): present,
            // stopped, so `orch ctl start` can start it.
            let dormant = mode == .up && selected == nil && !process.autostart && !chosen.contains(process.name)
            guard chosen.contains(process.name) || dormant else { continue }
            for replica in 0..<max(process.replicas, 0) {
                var record = InstanceRecord(spec: process.instance(replica: replica, of: process.replicas))
                if dormant { record.state = .ended(.stopped) }
                instances.append(record)
            }
        }
    }

    /// `names` and everything they depend on, transitively.
    public static func closure(of names: [String], in project: ProjectSpec) -> Set<String> {
        var result = Set<String>()
        var stack = names
        while let name = stack.popLast() {
            guard result.insert(name).inserted, let process = project.process(named: name) else { continue }
            stack.append(contentsOf: process.dependsOn.map(\.name))
        }
        return result
    }

    public func instance(named name: String) -> InstanceRecord? {
        instances[name]
    }

    public func processSpec(of record: InstanceRecord) -> ProcessSpec? {
        spec(named: record.process)
    }

    /// A process of the project by name, in constant time.
    public func spec(named name: String) -> ProcessSpec? {
        processIndex[name].map { project.processes[$0] }
    }

    private mutating func indexProcesses() {
        processIndex = [:]
        dependents = [:]
        for (i, process) in project.processes.enumerated() {
            processIndex[process.name] = i
            for dependency in process.dependsOn { dependents[dependency.name, default: []].insert(process.name) }
        }
    }

    /// The earliest time at which `.tick` has work to do.
    public var nextDeadline: Instant? {
        var earliest: Instant?
        func consider(_ t: Instant?) {
            guard let t else { return }
            if earliest == nil || t < earliest! { earliest = t }
        }
        for record in instances {
            switch record.state {
            case let .stopping(_, deadline, _, _, _): consider(deadline)
            case let .backoff(until): consider(until)
            case let .waitingForPort(_, _, retryAt, _): consider(retryAt)
            case let .running(_, _, readiness): if !readiness.inFlight { consider(readiness.due) }
            default: break
            }
            consider(timeoutDeadline(of: record))
        }
        if !shuttingDown { consider(runDeadline) }
        for change in pendingChanges.values { consider(change.due) }
        consider(pendingReload?.due)
        return earliest
    }

    // MARK: - Events

    public mutating func handle(_ event: Event, now: Instant) -> [Effect] {
        var effects: [Effect] = []
        guard !finished else { return effects }
        switch event {
        case .start:
            if let runTimeout { runDeadline = now + runTimeout }
            if instances.isEmpty {
                finish(0, &effects)
                return effects
            }
            schedule(now, &effects)
        case let .spawned(name, pid):
            guard let i = instances.position(of: name), instances[i].state == .starting else { break }
            spawned(i, pid: pid, now: now, &effects)
        case let .spawnFailed(name, reason):
            guard let i = instances.position(of: name), instances[i].state == .starting else { break }
            // The reason names the program or cwd, which may be a 1 MB string of the config's.
            let reason = ConfigDiagnostic.excerpt(reason)
            effects.append(.event(.cannotStart(instance: name, reason: reason)))
            end(i, .failed(reason: "cannot start: \(reason)", code: 127), now, &effects)
        case let .portChecked(name, busy):
            guard let i = instances.position(of: name),
                  case let .waitingForPort(host, port, nil, announced) = instances[i].state else { break }
            if busy {
                if !announced { effects.append(.event(.waitingForPort(instance: name, port: port))) }
                instances[i].state = .waitingForPort(host: host, port: port, retryAt: now + .milliseconds(100), announced: true)
            } else {
                instances[i].state = .starting
                effects.append(.spawn(instances[i].spec))
            }
        case let .exited(name, pid, termination, groupEmpty):
            guard let i = instances.position(of: name) else { break }
            leaderExited(i, pid: pid, termination: termination, groupEmpty: groupEmpty, now: now, &effects)
        case let .groupEmpty(name, pid):
            guard let i = instances.position(of: name),
                  case let .stopping(current, _, leaderExit?, then, _) = instances[i].state, current == pid else { break }
            stopped(i, leaderExit: leaderExit, then: then, now: now, &effects)
        case let .probeFinished(name, pid, passed, detail):
            guard let i = instances.position(of: name) else { break }
            probeFinished(i, pid: pid, passed: passed, detail: detail, now: now, &effects)
        case .tick:
            tick(now, &effects)
        case let .shutdown(reason):
            let code: Int32
            switch (reason, mode) {
            case (.signal, .up), (.outputClosed, _), (.request, _): code = 0
            case let (.signal(signal), .run): code = 128 + signal
            }
            if !shuttingDown { effects.append(.event(.shutdown(reason))) }
            beginShutdown(code: code, now: now, &effects)
        case .killAll:
            if !shuttingDown { beginShutdown(code: 0, now: now, &effects) }
            effects.append(.event(.killingAll))
            for i in instances.indices {
                switch instances[i].state {
                case let .stopping(pid, _, leaderExit, then, stop):
                    instances[i].state = .stopping(pid: pid, deadline: nil, leaderExit: leaderExit, then: then, stop: stop)
                    effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: SIGKILL))
                case let .running(pid, _, _):
                    instances[i].state = .stopping(pid: pid, deadline: nil, leaderExit: nil, then: .stop, stop: stopSpec(of: i))
                    effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: SIGKILL))
                default:
                    break
                }
            }
            effects.append(.signalOrphans(signal: SIGKILL))
        case let .forward(signal):
            for record in instances {
                if case let .running(pid, _, _) = record.state {
                    effects.append(.signalGroup(instance: record.name, pid: pid, signal: signal))
                }
            }
        case let .restart(process, reason):
            restart(process: process, reason: reason, now: now, &effects)
        case let .request(request):
            handle(request, now: now, &effects)
        case let .fileChanged(process, path, removed):
            fileChanged(process, path: path, removed: removed, now: now)
        case let .configChanged(path):
            configChanged(path, now: now)
        }
        pruneRetired()
        return effects
    }

    // MARK: - Starting

    /// Starts every waiting instance whose dependencies are met; fails those whose
    /// dependencies can never be met.
    mutating func schedule(_ now: Instant, _ effects: inout [Effect]) {
        guard !shuttingDown else { return }
        var changed = true
        while changed && !shuttingDown {
            changed = false
            for i in instances.indices where instances[i].state == .waiting && !instances[i].stoppedOnRequest && !instances[i].retired {
                switch dependencies(of: i) {
                case .met:
                    launch(i, &effects)
                case .unmet:
                    break
                case let .never(reason):
                    effects.append(.event(.notStarted(instance: instances[i].name, reason: reason)))
                    end(i, .failed(reason: "not started: \(reason)", code: 1), now, &effects)
                    changed = true
                }
                if shuttingDown { break }
            }
        }
    }

    /// Spawns an instance, or first looks whether its check's port is free: a new
    /// run must not race whoever still holds the port, nor pass its check on them.
    mutating func launch(_ i: Int, _ effects: inout [Effect]) {
        if let (host, port) = instances[i].spec.guardedPort {
            instances[i].state = .waitingForPort(host: host, port: port, retryAt: nil, announced: false)
            effects.append(.checkPort(instance: instances[i].name, host: host, port: port))
        } else {
            instances[i].state = .starting
            effects.append(.spawn(instances[i].spec))
        }
    }

    private enum DependencyState: Equatable { case met, unmet, never(String) }

    private func dependencies(of i: Int) -> DependencyState {
        guard let process = spec(named: instances[i].process) else { return .met }
        for dependency in process.dependsOn {
            for other in instances where other.process == dependency.name {
                switch condition(dependency.condition, other) {
                case .met: continue
                case .unmet: return .unmet
                case let .never(reason): return .never(reason)
                }
            }
        }
        return .met
    }

    private func condition(_ condition: DependencyCondition, _ other: InstanceRecord) -> DependencyState {
        let ended: Outcome?
        if case let .ended(outcome) = other.state { ended = outcome } else { ended = nil }
        let why: String
        switch ended {
        case let .exited(termination)?: why = "\(other.name) \(termination.succeeded ? "exited" : "failed") with \(termination)"
        case .stopped?: why = "\(other.name) was stopped"
        case let .failed(reason, _)?: why = "\(other.name) \(reason)"
        case .notReady?: why = "\(other.name) failed with exit code 1"
        case nil: why = ""
        }
        switch condition {
        case .started:
            if other.everStarted { return .met }
        case .ready:
            if other.everReady { return .met }
        case .completed:
            if case .exited? = ended { return .met }
        case .succeeded:
            if case let .exited(termination)? = ended, termination.succeeded { return .met }
        }
        return ended == nil ? .unmet : .never(why)
    }

    mutating func spawned(_ i: Int, pid: Int32, now: Instant, _ effects: inout [Effect]) {
        var readiness = Readiness(ready: true)
        if let probe = instances[i].spec.ready {
            readiness.ready = false
            if case .log = probe.check {} else { readiness.due = now + probe.initialDelay }
        }
        instances[i].state = .running(pid: pid, since: now, readiness: readiness)
        instances[i].startedAt = now
        if instances[i].firstStartedAt == nil { instances[i].firstStartedAt = now }
        instances[i].everStarted = true
        if readiness.ready { instances[i].everReady = true }
        effects.append(.event(.started(instance: instances[i].name, pid: pid)))
        if shuttingDown || instances[i].stoppedOnRequest || instances[i].retired {
            stop(i, then: .stop, now: now, &effects)
            return
        }
        schedule(now, &effects)
    }

    // MARK: - Probes

    private mutating func probeFinished(_ i: Int, pid: Int32, passed: Bool, detail: String, now: Instant, _ effects: inout [Effect]) {
        // A result counts only for the run it was started for.
        guard case .running(pid, let since, var readiness) = instances[i].state,
              let probe = instances[i].spec.ready, !readiness.ready else { return }
        readiness.inFlight = false
        if passed {
            readiness.ready = true
            readiness.due = nil
            instances[i].state = .running(pid: pid, since: since, readiness: readiness)
            instances[i].everReady = true
            effects.append(.event(.ready(instance: instances[i].name)))
            schedule(now, &effects)
            return
        }
        readiness.failures += 1
        if let retries = probe.retries, readiness.failures > retries {
            effects.append(.event(.notReady(instance: instances[i].name, checks: readiness.failures, detail: detail)))
            readiness.due = nil
            instances[i].state = .running(pid: pid, since: since, readiness: readiness)
            let reason = "did not become ready after \(readiness.failures) checks"
            stop(i, then: .notReady(reason), now: now, &effects)
            return
        }
        readiness.due = now + probe.interval
        instances[i].state = .running(pid: pid, since: since, readiness: readiness)
    }

    // MARK: - Time

    private mutating func tick(_ now: Instant, _ effects: inout [Effect]) {
        fireDueChanges(now, &effects)
        for i in instances.indices {
            switch instances[i].state {
            case let .stopping(pid, deadline?, leaderExit, then, stop) where deadline <= now:
                instances[i].state = .stopping(pid: pid, deadline: nil, leaderExit: leaderExit, then: then, stop: stop)
                effects.append(.event(.killedAfterTimeout(instance: instances[i].name, timeout: stop.timeout)))
                effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: SIGKILL))
            case let .backoff(until) where until <= now:
                if shuttingDown {
                    instances[i].state = .ended(.stopped)
                } else {
                    launch(i, &effects)
                }
            case let .waitingForPort(host, port, retryAt?, announced) where retryAt <= now:
                instances[i].state = .waitingForPort(host: host, port: port, retryAt: nil, announced: announced)
                effects.append(.checkPort(instance: instances[i].name, host: host, port: port))
            case .running(let pid, let since, var readiness):
                if let due = readiness.due, due <= now, !readiness.inFlight, let probe = instances[i].spec.ready {
                    readiness.inFlight = true
                    instances[i].state = .running(pid: pid, since: since, readiness: readiness)
                    effects.append(.probe(instance: instances[i].name, pid: pid, check: probe.check, timeout: probe.timeout))
                }
            default:
                break
            }
        }
        checkTimeouts(now, &effects)
        if shuttingDown { advanceShutdown(now, &effects) }
    }

    // MARK: - Exits and stopping

    private mutating func leaderExited(_ i: Int, pid: Int32, termination: Termination, groupEmpty: Bool, now: Instant, _ effects: inout [Effect]) {
        switch instances[i].state {
        case let .running(current, _, _) where current == pid:
            instances[i].lastExit = termination
            instances[i].lastExitedAt = now
            effects.append(.event(.exited(instance: instances[i].name, termination)))
            if groupEmpty {
                afterExit(i, termination, now, &effects)
            } else {
                // The leader is gone but its group is not: clear the group before anything
                // else, so a restart never overlaps the old instance.
                let stop = stopSpec(of: i)
                instances[i].state = .stopping(pid: pid, deadline: now + stop.timeout, leaderExit: termination, then: .policy, stop: stop)
                effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: stop.signal))
            }
        case let .stopping(current, deadline, _, then, stop) where current == pid:
            instances[i].lastExit = termination
            instances[i].lastExitedAt = now
            effects.append(.event(.exited(instance: instances[i].name, termination)))
            if groupEmpty {
                stopped(i, leaderExit: termination, then: then, now: now, &effects)
            } else {
                instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: termination, then: then, stop: stop)
            }
        default:
            break
        }
    }

    /// The stop signal and timeout of an instance's process as configured now.
    func stopSpec(of i: Int) -> StopSpec {
        processSpec(of: instances[i])?.stop ?? StopSpec()
    }

    /// Sends the stop signal to a running instance's group; `using` overrides the
    /// process's configured stop (a process a reload removed keeps its old one).
    mutating func stop(_ i: Int, then: AfterStop, using spec: StopSpec? = nil, now: Instant, _ effects: inout [Effect]) {
        guard case let .running(pid, _, _) = instances[i].state else { return }
        let stop = spec ?? stopSpec(of: i)
        instances[i].state = .stopping(pid: pid, deadline: now + stop.timeout, leaderExit: nil, then: then, stop: stop)
        effects.append(.event(.stopping(instance: instances[i].name, signal: stop.signal)))
        effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: stop.signal))
    }

    /// The whole group of a stopping instance is gone.
    private mutating func stopped(_ i: Int, leaderExit: Termination, then: AfterStop, now: Instant, _ effects: inout [Effect]) {
        if let reason = instances[i].timedOut {
            end(i, .failed(reason: reason, code: Supervisor.timeoutCode), now, &effects)
            return
        }
        switch then {
        case .policy:
            afterExit(i, leaderExit, now, &effects)
        case let .notReady(reason):
            afterFailure(i, failed: true, outcome: .notReady(reason: reason), now, &effects)
        case .restart where !shuttingDown:
            instances[i].restarts += 1
            launch(i, &effects)
        case .restart, .stop:
            instances[i].state = .ended(.stopped)
            if shuttingDown {
                advanceShutdown(now, &effects)
            } else {
                endRunIfTargetsEnded(now, &effects)
                checkFinished(&effects)
            }
        }
    }

    /// Restart policy for an instance that ended on its own and whose group is gone.
    private mutating func afterExit(_ i: Int, _ termination: Termination, _ now: Instant, _ effects: inout [Effect]) {
        if termination == .exited(126) || termination == .exited(127),
           let started = instances[i].startedAt, now - started < Supervisor.notRunnableWindow, !shuttingDown {
            // The shell could not run the command: a restart would fail the same way.
            effects.append(.event(.commandNotRunnable(instance: instances[i].name, command: commandWord(instances[i].spec.command),
                                                      termination: termination)))
            end(i, .exited(termination), now, &effects)
            return
        }
        afterFailure(i, failed: !termination.succeeded, outcome: .exited(termination), now, &effects)
    }

    /// Restarts by policy, or ends the instance with `outcome`.
    private mutating func afterFailure(_ i: Int, failed: Bool, outcome: Outcome, _ now: Instant, _ effects: inout [Effect]) {
        guard !shuttingDown, let process = processSpec(of: instances[i]) else {
            end(i, outcome, now, &effects)
            return
        }
        let wanted: Bool
        switch process.restart {
        case .always where !failed && isRunTarget(instances[i]):
            // What `orch run` waits for is a target that succeeded: `restart: always`
            // would otherwise run it again forever and the run would never end.
            wanted = false
        case .always: wanted = true
        case .onFailure: wanted = failed
        case .no: wanted = false
        }
        guard wanted else {
            end(i, outcome, now, &effects)
            return
        }
        if let max = process.maxRestarts, instances[i].restarts >= max {
            effects.append(.event(.gaveUp(instance: instances[i].name, restarts: max)))
            end(i, outcome, now, &effects)
            return
        }
        if let started = instances[i].startedAt, now - started >= process.backoff.resetAfter {
            instances[i].attempt = 0
        }
        let delay = backoffDelay(process.backoff, attempt: instances[i].attempt)
        instances[i].attempt += 1
        instances[i].restarts += 1
        effects.append(.event(.restartingIn(instance: instances[i].name, delay: delay)))
        if delay <= .zero {
            launch(i, &effects)
        } else {
            instances[i].state = .backoff(until: now + delay)
        }
    }

    /// Whether the instance is one `orch run` waits for.
    private func isRunTarget(_ record: InstanceRecord) -> Bool {
        if case .run = mode { return targets.contains(record.process) }
        return false
    }

    /// The program a command runs, for messages: its first word (after `exec`).
    private func commandWord(_ command: String) -> String {
        var words = command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        if words.first == "exec" { words.removeFirst() }
        return words.first.map { String($0.prefix(200)) } ?? command
    }

    /// initial × factor^attempt, capped at max, ± jitter.
    private mutating func backoffDelay(_ backoff: Backoff, attempt: Int) -> Duration {
        let initial = Double(backoff.initial.nanoseconds)
        let cap = Double(backoff.max.nanoseconds)
        var delay = initial
        for _ in 0..<min(attempt, 64) {
            delay *= backoff.factor
            if delay >= cap { break }
        }
        delay = min(delay, cap)
        if jitter > 0 && delay > 0 {
            delay *= 1 + jitter * (random.nextUnit() * 2 - 1)
        }
        // Jitter never takes the delay past `max`.
        delay = min(delay, cap, Double(Int64.max / 2))
        return .nanoseconds(Int64(max(0, delay)))
    }

    /// An instance ended for good: apply the exit rule and wake or fail its dependents.
    mutating func end(_ i: Int, _ outcome: Outcome, _ now: Instant, _ effects: inout [Effect]) {
        instances[i].state = .ended(outcome)
        guard case let .supervising(firstFailure) = phase else {
            advanceShutdown(now, &effects)
            return
        }
        let process = processSpec(of: instances[i])
        let optional = process?.optional ?? false
        let isJob = process?.kind == .job
        let failure = outcome.failureCode
        if let failure, firstFailure == nil { phase = .supervising(firstFailure: failure) }

        switch mode {
        case .up:
            if case .stopped = outcome { break }
            if !optional && (!isJob || failure != nil) {
                let code: Int32
                if case let .exited(termination) = outcome { code = termination.code } else { code = failure ?? 1 }
                beginShutdown(code: code, now: now, &effects)
                return
            }
        case .run:
            if targets.contains(instances[i].process) {
                // The first target to fail in time decides the exit code.
                if let failure, firstTargetFailure == nil { firstTargetFailure = failure }
                if failFast, let failure {
                    effects.append(.event(.failFast(instance: instances[i].name)))
                    beginShutdown(code: failure, now: now, &effects)
                    return
                }
                let pending = instances.contains { targets.contains($0.process) && !$0.state.isEnded }
                if !pending {
                    beginShutdown(code: firstTargetFailure ?? 0, now: now, &effects)
                    return
                }
            } else if !optional && (!isJob || failure != nil), outcome != .stopped {
                let code = failure ?? 1
                effects.append(.event(.endedBeforeTargets(instance: instances[i].name, targets: targets.sorted())))
                beginShutdown(code: code, now: now, &effects)
                return
            }
        }
        schedule(now, &effects)
        checkFinished(&effects)
    }

    mutating func checkFinished(_ effects: inout [Effect]) {
        guard case let .supervising(firstFailure) = phase, instances.allSatisfy(\.state.isEnded) else { return }
        // Something stopped on request may be started again: keep serving.
        guard !instances.contains(where: \.stoppedOnRequest) else { return }
        finish(firstFailure ?? 0, &effects)
    }

    private mutating func finish(_ code: Int32, _ effects: inout [Effect]) {
        guard !finished else { return }
        var code = exitCode ?? code
        // Never a false green: `orch run` exits 0 only when every target succeeded.
        if case .run = mode, code == 0, !targetsSucceeded { code = 1 }
        phase = .finished(code: code)
        effects.append(.signalOrphans(signal: SIGTERM))
        effects.append(.exit(code))
    }

    // MARK: - Shutdown

    mutating func beginShutdown(code: Int32, now: Instant, _ effects: inout [Effect]) {
        if case .supervising = phase { phase = .shuttingDown(code: code) }
        advanceShutdown(now, &effects)
    }

    /// Stops every instance none of whose dependents is still alive: dependents go
    /// first, independent ones in parallel. Nothing starts once shutdown began, and
    /// every wait (dependencies, backoff, a busy port) ends.
    mutating func advanceShutdown(_ now: Instant, _ effects: inout [Effect]) {
        for i in instances.indices {
            switch instances[i].state {
            case .waiting:
                if case let .never(reason) = dependencies(of: i) {
                    effects.append(.event(.notStarted(instance: instances[i].name, reason: reason)))
                    instances[i].state = .ended(.failed(reason: "not started: \(reason)", code: 1))
                } else {
                    instances[i].state = .ended(.stopped)
                }
            case .backoff, .waitingForPort:
                instances[i].state = .ended(.stopped)
            case let .stopping(pid, deadline, leaderExit, then, stop) where then != .stop && leaderExit == nil:
                instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: leaderExit, then: .stop, stop: stop)
            default:
                break
            }
        }
        // Processes with an instance still alive: their dependencies must wait.
        var alive = Set<String>()
        for record in instances where !record.state.isEnded { alive.insert(record.process) }
        for i in instances.indices {
            guard case .running = instances[i].state,
                  (dependents[instances[i].process] ?? []).isDisjoint(with: alive) else { continue }
            stop(i, then: .stop, now: now, &effects)
        }
        if instances.allSatisfy(\.state.isEnded) {
            finish(exitCode ?? 0, &effects)
        }
    }

    // MARK: - Requests

    mutating func restart(process: String, reason: String, now: Instant, _ effects: inout [Effect]) {
        guard !shuttingDown else { return }
        let names = instances.filter { $0.process == process && !$0.retired }.map(\.name)
        guard !names.isEmpty else { return }
        effects.append(.event(.restarting(process: process, reason: reason)))
        handle(.restart(names), now: now, &effects)
    }
}

extension InstanceSpec {
    /// The port a new run must find free before it starts: a `tcp` check's port, or
    /// an `http` check's port when it is the instance's own PORT (someone else's
    /// server there would answer the check).
    public var guardedPort: (host: String, port: UInt16)? {
        switch ready?.check {
        case let .tcp(host, portText)?:
            guard let port = UInt16(portText) else { return nil }
            return (host, port)
        case let .http(url)?:
            guard let target = HTTPTarget(url), let own = environment["PORT"], UInt16(own) == target.port else { return nil }
            return (target.host, target.port)
        default:
            return nil
        }
    }
}

/// The parts of an `http://host:port/path` URL a probe needs.
public struct HTTPTarget: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    public var path: String

    public init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : "/"
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let port = UInt16(authority[authority.index(after: colon)...]) else { return nil }
            self.port = port
        } else {
            host = String(authority)
            port = 80
        }
        if host.isEmpty { return nil }
    }

    /// The status code of a response's first line, once it has arrived.
    public static func status(_ response: [UInt8]) -> Int? {
        guard let end = response.firstIndex(of: 0x0A) else { return nil }
        let line = String(decoding: response[..<end], as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return 0 }
        return Int(parts[1]) ?? 0
    }
}

let SIGKILL: Int32 = 9
let SIGTERM: Int32 = 15

/// A small seeded generator, so backoff jitter is reproducible in tests.
struct SplitMix64: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
