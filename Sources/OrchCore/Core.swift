import OrchConfig

/// Where an instance is in its life. Only `Supervisor.handle(_:now:)` moves it.
public enum InstanceState: Equatable, Sendable {
    /// Not started yet: waiting for its dependencies (or for `.start`).
    case waiting
    /// `.spawn` was issued; the runtime answers with `.spawned` or `.spawnFailed`.
    case starting
    case running(pid: Int32, since: Instant)
    /// Its group is being stopped. `deadline` is when SIGKILL follows (nil once sent);
    /// `leaderExit` is set once the leader has been reaped; `then` says what follows.
    case stopping(pid: Int32, deadline: Instant?, leaderExit: Termination?, then: AfterStop)
    /// Waiting to restart.
    case backoff(until: Instant)
    /// Ended for good.
    case ended(Outcome)

    public var pid: Int32? {
        switch self {
        case let .running(pid, _), let .stopping(pid, _, _, _): return pid
        default: return nil
        }
    }

    public var isEnded: Bool {
        if case .ended = self { return true }
        return false
    }
}

/// What follows once a stopping instance's whole group is gone.
public enum AfterStop: Equatable, Sendable {
    /// It exited on its own: apply the restart policy to its termination.
    case policy
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
}

/// One replica of a process and everything the core knows about it.
public struct InstanceRecord: Sendable, Equatable {
    public var spec: InstanceSpec
    public var state: InstanceState = .waiting
    public var restarts = 0
    public var lastExit: Termination?
    /// Its readiness check passed during the current run (or it has none).
    public var ready = false
    /// Latched conditions, for dependents.
    public var everStarted = false
    public var everReady = false
    public var startedAt: Instant?
    var attempt = 0
    var probeDue: Instant?
    var probeInFlight = false
    var probeFailures = 0
    /// Stopped through the control port: stays stopped and is not an exit.
    public var stoppedOnRequest = false
    /// Stopped because its readiness check gave up.
    var neverReady = false
    /// Scaled down or removed by a reload: dropped once it has ended.
    var retired = false
    /// When it was first started, which its `timeout` counts from.
    public var firstStartedAt: Instant?
    /// Why it is being stopped for running too long (`timed out after 10m`); it then
    /// ends as failed with code 124.
    public var timedOut: String?

    public var name: String { spec.name }
    public var process: String { spec.process }
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
    public internal(set) var instances: [InstanceRecord] = []
    public private(set) var shuttingDown = false
    public private(set) var exitCode: Int32?
    public private(set) var finished = false
    /// The processes whose end decides `orch run`.
    public let targets: Set<String>
    private var firstFailure: Int32?
    /// The code of the first target to fail, in time (`orch run`).
    var firstTargetFailure: Int32?
    /// `--fail-fast`: the first target to fail stops the run.
    public var failFast = false
    /// `--timeout-all`: the whole run is stopped this long after `.start` (exit 124).
    public var runTimeout: Duration?
    /// When `runTimeout` runs out.
    public internal(set) var runDeadline: Instant?
    /// Changes seen per process, restarted once its debounce has passed.
    var pendingChanges: [String: (due: Instant, first: String, paths: Set<String>)] = [:]
    var index: [String: Int] = [:]
    private var random: SplitMix64
    private let jitter: Double

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
                index[process.instanceName(replica: replica, of: process.replicas)] = instances.count
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
        index[name].map { instances[$0] }
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
            case let .stopping(_, deadline, _, _): consider(deadline)
            case let .backoff(until): consider(until)
            case .running: if !record.probeInFlight { consider(record.probeDue) }
            default: break
            }
            consider(timeoutDeadline(of: record))
        }
        if !shuttingDown { consider(runDeadline) }
        for change in pendingChanges.values { consider(change.due) }
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
            guard let i = index[name], instances[i].state == .starting else { break }
            spawned(i, pid: pid, now: now, &effects)
        case let .spawnFailed(name, reason):
            guard let i = index[name], instances[i].state == .starting else { break }
            effects.append(.message("\(name): cannot start: \(reason)"))
            end(i, .failed(reason: "cannot start: \(reason)", code: 127), now, &effects)
        case let .exited(name, pid, termination, groupEmpty):
            guard let i = index[name] else { break }
            leaderExited(i, pid: pid, termination: termination, groupEmpty: groupEmpty, now: now, &effects)
        case let .groupEmpty(name, pid):
            guard let i = index[name], case let .stopping(current, _, leaderExit?, then) = instances[i].state, current == pid else { break }
            stopped(i, leaderExit: leaderExit, then: then, now: now, &effects)
        case let .probeFinished(name, pid, passed, detail):
            guard let i = index[name] else { break }
            probeFinished(i, pid: pid, passed: passed, detail: detail, now: now, &effects)
        case .tick:
            tick(now, &effects)
        case let .shutdown(reason):
            let code: Int32
            switch (reason, mode) {
            case (.signal, .up), (.outputClosed, _), (.request, _): code = 0
            case let (.signal(signal), .run): code = 128 + signal
            }
            if !shuttingDown {
                switch reason {
                case let .signal(signal): effects.append(.message("received SIG\(SignalName.name(signal)), stopping"))
                case .outputClosed: effects.append(.message("output closed, stopping"))
                case .request: effects.append(.message("shutdown requested, stopping"))
                }
            }
            beginShutdown(code: code, now: now, &effects)
        case .killAll:
            if !shuttingDown { beginShutdown(code: 0, now: now, &effects) }
            effects.append(.message("killing all processes"))
            for i in instances.indices {
                if case let .stopping(pid, _, leaderExit, then) = instances[i].state {
                    instances[i].state = .stopping(pid: pid, deadline: nil, leaderExit: leaderExit, then: then)
                    effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: SIGKILL))
                } else if case let .running(pid, _) = instances[i].state {
                    instances[i].state = .stopping(pid: pid, deadline: nil, leaderExit: nil, then: .stop)
                    effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: SIGKILL))
                }
            }
            effects.append(.signalOrphans(signal: SIGKILL))
        case let .forward(signal):
            for record in instances {
                if case let .running(pid, _) = record.state {
                    effects.append(.signalGroup(instance: record.name, pid: pid, signal: signal))
                }
            }
        case let .restart(process, reason):
            restart(process: process, reason: reason, now: now, &effects)
        case let .request(request):
            handle(request, now: now, &effects)
        case let .fileChanged(process, path):
            guard !shuttingDown, let spec = spec(named: process), let watch = spec.watch else { break }
            if var change = pendingChanges[process] {
                change.paths.insert(path)
                pendingChanges[process] = change
            } else {
                pendingChanges[process] = (now + watch.debounce, path, [path])
            }
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
                    instances[i].state = .starting
                    effects.append(.spawn(instances[i].spec))
                case .unmet:
                    break
                case let .never(reason):
                    let message = "\(instances[i].name): not started: \(reason)"
                    effects.append(.message(message))
                    end(i, .failed(reason: "not started: \(reason)", code: 1), now, &effects)
                    changed = true
                }
                if shuttingDown { break }
            }
        }
    }

    private enum Readiness: Equatable { case met, unmet, never(String) }

    private func dependencies(of i: Int) -> Readiness {
        guard let process = spec(named: instances[i].process) else { return .met }
        for dependency in process.dependsOn {
            let others = instances.filter { $0.process == dependency.name }
            for other in others {
                switch condition(dependency.condition, other) {
                case .met: continue
                case .unmet: return .unmet
                case let .never(reason): return .never(reason)
                }
            }
        }
        return .met
    }

    private func condition(_ condition: DependencyCondition, _ other: InstanceRecord) -> Readiness {
        let ended: Outcome?
        if case let .ended(outcome) = other.state { ended = outcome } else { ended = nil }
        let why: String
        switch ended {
        case let .exited(termination)?: why = "\(other.name) \(termination.succeeded ? "exited" : "failed") with \(termination)"
        case .stopped?: why = "\(other.name) was stopped"
        case let .failed(reason, _)?: why = "\(other.name) \(reason)"
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
        instances[i].state = .running(pid: pid, since: now)
        instances[i].startedAt = now
        if instances[i].firstStartedAt == nil { instances[i].firstStartedAt = now }
        instances[i].everStarted = true
        instances[i].probeFailures = 0
        instances[i].probeInFlight = false
        effects.append(.message("\(instances[i].name) started (pid \(pid))"))
        if let probe = instances[i].spec.ready {
            instances[i].ready = false
            if case .log = probe.check {
                instances[i].probeDue = nil
            } else {
                instances[i].probeDue = now + probe.initialDelay
            }
        } else {
            markReady(i)
        }
        if shuttingDown || instances[i].stoppedOnRequest || instances[i].retired {
            stop(i, then: .stop, now: now, &effects)
            return
        }
        schedule(now, &effects)
    }

    private mutating func markReady(_ i: Int) {
        instances[i].ready = true
        instances[i].everReady = true
        instances[i].probeDue = nil
    }

    // MARK: - Probes

    private mutating func probeFinished(_ i: Int, pid: Int32, passed: Bool, detail: String, now: Instant, _ effects: inout [Effect]) {
        guard case let .running(current, _) = instances[i].state, current == pid,
              let probe = instances[i].spec.ready, !instances[i].ready else { return }
        instances[i].probeInFlight = false
        if passed {
            markReady(i)
            effects.append(.message("\(instances[i].name) is ready"))
            schedule(now, &effects)
            return
        }
        instances[i].probeFailures += 1
        if let retries = probe.retries, instances[i].probeFailures > retries {
            effects.append(.message("\(instances[i].name) did not become ready after \(instances[i].probeFailures) checks\(detail.isEmpty ? "" : ": \(detail)")"))
            instances[i].probeDue = nil
            instances[i].neverReady = true
            stop(i, then: .policy, now: now, &effects)
            return
        }
        instances[i].probeDue = now + probe.interval
    }

    // MARK: - Time

    private mutating func tick(_ now: Instant, _ effects: inout [Effect]) {
        for (process, change) in pendingChanges where change.due <= now {
            pendingChanges.removeValue(forKey: process)
            restartForChange(process, path: change.first, others: change.paths.count - 1, now: now, &effects)
        }
        for i in instances.indices {
            switch instances[i].state {
            case let .stopping(pid, deadline?, leaderExit, then) where deadline <= now:
                instances[i].state = .stopping(pid: pid, deadline: nil, leaderExit: leaderExit, then: then)
                let timeout = processSpec(of: instances[i])?.stop.timeout ?? .seconds(5)
                effects.append(.message("\(instances[i].name) killed after \(timeout.humanDescription) timeout (SIGKILL)"))
                effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: SIGKILL))
            case let .backoff(until) where until <= now:
                if shuttingDown {
                    instances[i].state = .ended(.stopped)
                } else {
                    instances[i].state = .starting
                    effects.append(.spawn(instances[i].spec))
                }
            case let .running(pid, _):
                if let due = instances[i].probeDue, due <= now, !instances[i].probeInFlight, let probe = instances[i].spec.ready {
                    instances[i].probeInFlight = true
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
        case let .running(current, _) where current == pid:
            instances[i].lastExit = termination
            effects.append(.message("\(instances[i].name) exited with \(termination)"))
            if groupEmpty {
                afterExit(i, termination, now, &effects)
            } else {
                // The leader is gone but its group is not: clear the group before anything
                // else, so a restart never overlaps the old instance.
                let stop = processSpec(of: instances[i])?.stop ?? StopSpec()
                instances[i].state = .stopping(pid: pid, deadline: now + stop.timeout, leaderExit: termination, then: .policy)
                effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: stop.signal))
            }
        case let .stopping(current, deadline, _, then) where current == pid:
            instances[i].lastExit = termination
            effects.append(.message("\(instances[i].name) exited with \(termination)"))
            if groupEmpty {
                stopped(i, leaderExit: termination, then: then, now: now, &effects)
            } else {
                instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: termination, then: then)
            }
        default:
            break
        }
    }

    /// Sends the stop signal to a running instance's group.
    mutating func stop(_ i: Int, then: AfterStop, now: Instant, _ effects: inout [Effect]) {
        guard case let .running(pid, _) = instances[i].state else { return }
        let stop = processSpec(of: instances[i])?.stop ?? StopSpec()
        instances[i].state = .stopping(pid: pid, deadline: now + stop.timeout, leaderExit: nil, then: then)
        instances[i].probeDue = nil
        effects.append(.message("\(instances[i].name) stopping (SIG\(SignalName.name(stop.signal)))"))
        effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: stop.signal))
    }

    /// The whole group of a stopping instance is gone.
    private mutating func stopped(_ i: Int, leaderExit: Termination, then: AfterStop, now: Instant, _ effects: inout [Effect]) {
        instances[i].ready = false
        if let reason = instances[i].timedOut {
            end(i, .failed(reason: reason, code: Supervisor.timeoutCode), now, &effects)
            return
        }
        switch then {
        case .policy:
            // Stopped by orch for failing its readiness check: that is a failure
            // (code 1), whatever signal ended it.
            let termination = instances[i].neverReady ? .exited(1) : leaderExit
            instances[i].neverReady = false
            afterExit(i, termination, now, &effects)
        case .restart where !shuttingDown:
            instances[i].restarts += 1
            instances[i].state = .starting
            effects.append(.spawn(instances[i].spec))
        case .restart, .stop:
            instances[i].state = .ended(.stopped)
            if shuttingDown { advanceShutdown(now, &effects) } else { checkFinished(&effects) }
        }
    }

    /// Restart policy for an instance that ended on its own and whose group is gone.
    private mutating func afterExit(_ i: Int, _ termination: Termination, _ now: Instant, _ effects: inout [Effect]) {
        instances[i].ready = false
        guard !shuttingDown, let process = processSpec(of: instances[i]) else {
            end(i, .exited(termination), now, &effects)
            return
        }
        let wanted: Bool
        switch process.restart {
        case .always: wanted = true
        case .onFailure: wanted = !termination.succeeded
        case .no: wanted = false
        }
        guard wanted else {
            end(i, .exited(termination), now, &effects)
            return
        }
        if let max = process.maxRestarts, instances[i].restarts >= max {
            effects.append(.message("\(instances[i].name) gave up after \(max) restart\(max == 1 ? "" : "s")"))
            end(i, .exited(termination), now, &effects)
            return
        }
        if let started = instances[i].startedAt, now - started >= process.backoff.resetAfter {
            instances[i].attempt = 0
        }
        let delay = backoffDelay(process.backoff, attempt: instances[i].attempt)
        instances[i].attempt += 1
        instances[i].restarts += 1
        effects.append(.message("\(instances[i].name) restarting in \(delay.humanDescription)"))
        if delay <= .zero {
            instances[i].state = .starting
            effects.append(.spawn(instances[i].spec))
        } else {
            instances[i].state = .backoff(until: now + delay)
        }
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
        instances[i].ready = false
        if shuttingDown {
            advanceShutdown(now, &effects)
            return
        }
        let process = processSpec(of: instances[i])
        let optional = process?.optional ?? false
        let isJob = process?.kind == .job
        var failure: Int32?
        switch outcome {
        case let .exited(termination):
            if !termination.succeeded { failure = termination.code }
        case let .failed(_, code):
            failure = code
        case .stopped:
            break
        }
        if let failure, firstFailure == nil { firstFailure = failure }

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
                    effects.append(.message("\(instances[i].name) failed: stopping the run (--fail-fast)"))
                    beginShutdown(code: failure, now: now, &effects)
                    return
                }
                let pending = instances.contains { targets.contains($0.process) && !$0.state.isEnded }
                if !pending {
                    beginShutdown(code: firstTargetFailure ?? 0, now: now, &effects)
                    return
                }
            } else if !optional && (!isJob || failure != nil), !isStoppedOutcome(outcome) {
                let code = failure ?? 1
                effects.append(.message("\(instances[i].name) ended before \(targets.sorted().joined(separator: ", ")) finished"))
                beginShutdown(code: code, now: now, &effects)
                return
            }
        }
        schedule(now, &effects)
        checkFinished(&effects)
    }

    private func isStoppedOutcome(_ outcome: Outcome) -> Bool {
        if case .stopped = outcome { return true }
        return false
    }

    mutating func checkFinished(_ effects: inout [Effect]) {
        guard !shuttingDown, instances.allSatisfy(\.state.isEnded) else { return }
        // Something stopped on request may be started again: keep serving.
        guard !instances.contains(where: \.stoppedOnRequest) else { return }
        finish(firstFailure ?? 0, &effects)
    }

    private mutating func finish(_ code: Int32, _ effects: inout [Effect]) {
        guard !finished else { return }
        finished = true
        exitCode = exitCode ?? code
        // Never a false green: `orch run` exits 0 only when every target succeeded.
        if case .run = mode, exitCode == 0, !targetsSucceeded { exitCode = 1 }
        effects.append(.signalOrphans(signal: SIGTERM))
        effects.append(.exit(exitCode ?? code))
    }

    // MARK: - Shutdown

    mutating func beginShutdown(code: Int32, now: Instant, _ effects: inout [Effect]) {
        if !shuttingDown {
            shuttingDown = true
            exitCode = code
        }
        advanceShutdown(now, &effects)
    }

    /// Stops every instance none of whose dependents is still alive: dependents go
    /// first, independent ones in parallel.
    mutating func advanceShutdown(_ now: Instant, _ effects: inout [Effect]) {
        for i in instances.indices {
            switch instances[i].state {
            case .waiting:
                if case let .never(reason) = dependencies(of: i) {
                    effects.append(.message("\(instances[i].name): not started: \(reason)"))
                    instances[i].state = .ended(.failed(reason: "not started: \(reason)", code: 1))
                } else {
                    instances[i].state = .ended(.stopped)
                }
            case .backoff:
                instances[i].state = .ended(.stopped)
            case let .stopping(pid, deadline, leaderExit, then) where then != .stop && leaderExit == nil:
                instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: leaderExit, then: .stop)
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
        effects.append(.message("\(process) restarting: \(reason)"))
        handle(.restart(names), now: now, &effects)
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
