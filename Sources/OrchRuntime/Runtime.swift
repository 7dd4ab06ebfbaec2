import OrchConfig
import OrchProtocol
import OrchCore
import OrchSystem

/// What `orch up` / `orch run` were told on the command line.
public struct RuntimeOptions: Sendable {
    public var style: OutputStyle
    /// Grace period for orphans at exit before SIGKILL.
    public var orphanTimeout: Duration
    /// nil: no control port (--no-control).
    public var control: ControlOptions?
    /// `orch run --fail-fast`.
    public var failFast = false
    /// `orch run --timeout-all`.
    public var runTimeout: Duration?
    /// `orch run -- CMD`: orch's own lines go to stderr, written blocking (the
    /// command shares the files); `quiet` keeps only messages about failures.
    public var oneOff = false
    public var quiet = false
    /// Re-reads the config, for a saved config file and `orch ctl reload`.
    public var reloadConfig: (@Sendable () -> Result<ProjectSpec, ConfigError>)?
    /// Apply a saved config file: `orch up` without --no-reload.
    public var reloadOnSave: Bool
    public init(style: OutputStyle, orphanTimeout: Duration = .seconds(5), control: ControlOptions? = nil,
                reloadConfig: (@Sendable () -> Result<ProjectSpec, ConfigError>)? = nil, reloadOnSave: Bool = false) {
        self.style = style
        self.orphanTimeout = orphanTimeout
        self.control = control
        self.reloadConfig = reloadConfig
        self.reloadOnSave = reloadOnSave
    }
}

/// The shell around the core: one epoll loop on the calling thread. It routes what
/// the kernel reports to the part that owns it (children, output, probes, control
/// port, file watches), the events those parts produce to the `Supervisor`, and the
/// core's effects back to the parts. It keeps no state of its own beyond the queue.
/// Call `SignalFD.blockSignals()` before any thread exists, then `run()` from the
/// main thread.
public final class Runtime {
    var core: Supervisor
    let options: RuntimeOptions
    let loop: EventLoop
    let signals: SignalFD
    let children: ChildTable
    let logs: LogMultiplexer
    let probes: ProbeRunner
    var control: ControlServer?
    var watcher: (files: FileWatcher, registration: UInt64)?
    /// A saved config file whose reload waits for the end of the current loop turn.
    var reloadRequested: String?
    var queue: [Event] = []
    var interrupts = 0
    /// The foreground command of `orch run -- CMD` while it runs, and whether it
    /// holds orch's terminal.
    var foregroundPid: Int32?
    var terminalGiven = false

    public init(project: ProjectSpec, selected: [String]?, mode: Mode, options: RuntimeOptions) throws(SystemError) {
        core = Supervisor(project: project, selected: selected, mode: mode, seed: UInt64(truncatingIfNeeded: Clock.realtimeNanoseconds()))
        core.failFast = options.failFast
        core.runTimeout = options.runTimeout
        self.options = options
        // Before the first spawn: the guardian must know every group.
        do { try Guardian.start() } catch {
            Descriptor.writeAll(2, Array("orch: warning: no guardian process (\(error)): if orch is killed with SIGKILL, its processes' children survive it\n".utf8))
        }
        loop = try EventLoop()
        signals = try SignalFD()
        children = try ChildTable()
        logs = LogMultiplexer(loop: loop, style: options.style, names: core.instances.map(\.name) + ["orch"],
                              processOrder: project.processes.map(\.name), toStderr: options.oneOff)
        // `orch run`'s reports carry each process's last lines.
        if case .run = mode { logs.keepsRings = true }
        probes = ProbeRunner(loop: loop, children: children)
        try loop.register(signals.fd, events: Epoll.readable, as: .signals)
        logs.onLogMatched = { [unowned self] instance, pid in
            enqueue(.probeFinished(instance: instance, pid: pid, passed: true, detail: ""))
        }
        logs.onFollowedLine = { [unowned self] line, instance in control?.publish(line: line, instance: instance) }
        logs.onOutputClosed = { [unowned self] in
            enqueue(.shutdown(.outputClosed))
            drainQueue()
        }
        probes.onFinished = { [unowned self] instance, pid, passed, detail in
            enqueue(.probeFinished(instance: instance, pid: pid, passed: passed, detail: detail))
        }
        probes.onPortChecked = { [unowned self] instance, busy in enqueue(.portChecked(instance: instance, busy: busy)) }
    }

    /// Binds the control port (if configured), writes the state file and sets up
    /// file watches; call before `run`.
    public func prepare() throws {
        if let options = options.control {
            let server = ControlServer(options: options, loop: loop, host: self)
            try server.start()
            control = server
            logs.keepsRings = true
        }
        setUpWatches()
    }

    /// (Re)creates the inotify watches for every process in this run that has `watch`.
    func setUpWatches() {
        if let old = watcher {
            loop.unregister(old.files.inotify.fd, old.registration)
            watcher = nil
        }
        let running = Set(core.instances.map(\.process))
        let watched = core.project.processes.filter { running.contains($0.name) && $0.watch != nil }
        let configFiles = watchedConfigFiles
        guard !watched.isEmpty || !configFiles.isEmpty else { return }
        do {
            let created = try FileWatcher(projectDirectory: core.project.directory)
            created.watchConfig(configFiles)
            for process in watched {
                guard let spec = process.watch else { continue }
                for problem in created.watch(process: process.name, spec: spec) { message(problem) }
            }
            if let limit = created.limitMessage { message(limit) }
            let registration = try loop.register(created.inotify.fd, events: Epoll.readable, as: .watcher)
            watcher = (created, registration)
        } catch {
            message("cannot watch files: \(error)")
        }
    }

    /// The control port's address, once bound.
    public var controlAddress: String? { control?.endpoint?.address }

    /// Runs until the supervisor has stopped everything; returns orch's exit code.
    public func run() -> Int32 {
        dispatch(.start)
        while !core.finished {
            armTimer()
            logs.flush()
            let ready: [(id: UInt64, events: UInt32)]
            do { ready = try loop.wait() } catch {
                message("\(error)")
                dispatch(.killAll)
                continue
            }
            for (id, events) in ready {
                guard let source = loop.source(id) else { continue }
                handle(source, events: events)
            }
            drainQueue()
            if let changed = reloadRequested {
                reloadRequested = nil
                reloadAfterSave(changed)
            }
        }
        takeTerminalBack()
        control?.stop()
        children.finishOrphans(timeout: options.orphanTimeout) { deadline in
            loop.arm(at: deadline)
            logs.flush()
            _ = try? loop.wait(timeoutMilliseconds: 100)
            loop.timerFired()
            _ = signals.drain()
        }
        Guardian.dismiss()
        logs.finish()
        let code = core.exitCode ?? 1
        return logs.outputFailed && code == 0 ? 1 : code
    }

    /// What became of every instance, for `orch run`'s summary and JUnit report.
    public func results() -> [InstanceResult] {
        core.instances.map { record in
            let result: InstanceResult.Result
            var code: Int32?
            switch record.state {
            case let .ended(.exited(termination)):
                result = termination.succeeded ? .succeeded : .failed(termination.description)
                code = termination.code
            case let .ended(.failed(reason, failureCode)):
                result = record.everStarted ? .failed(reason) : .notStarted(reason)
                code = failureCode
            case let .ended(.notReady(reason)):
                result = .failed(reason)
                code = 1
            case .ended(.stopped) where core.targets.contains(record.process):
                // A target orch stopped did not finish: never a pass.
                let by = record.stoppedOnRequest ? " (orch ctl stop)" : ""
                result = record.everStarted ? .unfinished("stopped before it finished\(by)") : .notStarted("stopped before it started\(by)")
            case .ended(.stopped):
                result = record.everStarted ? .stopped : .notStarted("stopped before it started")
            default:
                result = .unfinished("still running when orch exited")
            }
            var duration: Duration?
            if let start = record.firstStartedAt {
                let end = record.state.pid == nil ? record.lastExitedAt : nil
                duration = (end ?? Instant(nanoseconds: Clock.monotonicNanoseconds())) - start
            }
            return InstanceResult(name: record.name, process: record.process, target: core.targets.contains(record.process),
                                  result: result, exitCode: code, restarts: record.restarts, duration: duration,
                                  lastLines: logs.tail(of: record.name, lines: InstanceResult.tailLines))
        }
    }

    // MARK: - Events in

    func handle(_ source: Source, events: UInt32) {
        switch source {
        case .signals:
            for signo in signals.drain() { handleSignal(signo) }
        case .timer:
            loop.timerFired()
            fireTimers()
        case .stdoutWritable:
            logs.flush()
        case let .childOutput(pid):
            logs.readable(pid: pid)
        case let .probe(id):
            probes.advance(id, events: events)
        case .controlListener:
            control?.acceptConnections()
        case .watcher:
            for change in watcher?.files.changes() ?? [] {
                switch change {
                case let .process(process, path, removed): enqueue(.fileChanged(process: process, path: path, removed: removed))
                case let .config(path): enqueue(.configChanged(path: path))
                }
            }
        case let .control(id):
            control?.service(id, events: events)
        }
    }

    func handleSignal(_ signo: Int32) {
        switch signo {
        case SIGCHLD_: reap()
        case SIGINT_ where terminalGiven:
            // Ctrl-C belongs to the foreground command, which got it from the terminal.
            break
        case SIGINT_, SIGTERM_, SIGHUP_, SIGQUIT_:
            interrupts += 1
            enqueue(interrupts == 1 ? .shutdown(.signal(signo)) : .killAll)
        case SIGUSR1_, SIGUSR2_:
            enqueue(.forward(signal: signo))
        default:
            break
        }
    }

    func reap() {
        checkForegroundStopped()
        for exit in children.reap() {
            guard let name = exit.instance else {
                _ = probes.reaped(exit.pid, exit.termination)
                continue
            }
            if exit.pid == foregroundPid { takeTerminalBack() }
            logs.drain(pid: exit.pid)
            if exit.groupEmpty { logs.close(pid: exit.pid) }
            enqueue(.exited(instance: name, pid: exit.pid, termination: exit.termination, groupEmpty: exit.groupEmpty))
        }
        checkLingering()
    }

    func checkLingering() {
        for (pid, name) in children.emptiedGroups() {
            logs.close(pid: pid)
            enqueue(.groupEmpty(instance: name, pid: pid))
        }
    }

    func fireTimers() {
        let now = Clock.monotonicNanoseconds()
        probes.expire(now: now)
        control?.expire(now: now)
        checkLingering()
        enqueue(.tick)
    }

    // MARK: - The core

    func enqueue(_ event: Event) {
        queue.append(event)
    }

    func dispatch(_ event: Event) {
        enqueue(event)
        drainQueue()
    }

    func drainQueue() {
        var i = 0
        while i < queue.count {
            let event = queue[i]
            i += 1
            let now = Instant(nanoseconds: Clock.monotonicNanoseconds())
            for effect in core.handle(event, now: now) { execute(effect) }
        }
        queue.removeAll(keepingCapacity: true)
    }

    func execute(_ effect: Effect) {
        switch effect {
        case let .spawn(spec):
            spawn(spec)
        case let .checkPort(name, host, port):
            probes.checkPort(instance: name, host: host, port: port)
        case let .signalGroup(_, pid, signal):
            Processes.signalGroup(pid, signal)
        case let .probe(name, pid, check, timeout):
            guard let record = core.instance(named: name) else { return }
            probes.start(instance: name, pid: pid, check: check, timeout: timeout,
                         environment: record.spec.environment, cwd: record.spec.cwd)
        case let .event(event):
            report(event)
        case let .signalOrphans(signal):
            children.signalOrphans(signal, except: probes.isCheck)
        case .exit:
            break  // the loop ends once the core has finished
        case let .reloadConfig(changed):
            reloadRequested = changed
        }
    }

    func armTimer() {
        var deadline = core.nextDeadline?.nanoseconds
        if let probe = probes.nextDeadline { deadline = min(deadline ?? probe, probe) }
        if let control = control?.nextDeadline { deadline = min(deadline ?? control, control) }
        if children.hasLingering {
            // A group member whose parent is not orch can end without a SIGCHLD to us.
            let soon = Clock.monotonicNanoseconds() + 100_000_000
            deadline = min(deadline ?? soon, soon)
        }
        loop.arm(at: deadline)
    }

    // MARK: - Spawning

    func spawn(_ spec: InstanceSpec) {
        if spec.foreground {
            spawnForeground(spec)
            return
        }
        let outcome = children.spawn(spec)
        switch consume outcome {
        case let .started(pid, output):
            logs.attach(output, pid: pid, spec: spec)
            enqueue(.spawned(instance: spec.name, pid: pid))
        case let .failed(reason):
            enqueue(.spawnFailed(instance: spec.name, reason: reason))
        }
    }

    // MARK: - Output

    /// Tells the user: on orch's output and to `orch ctl events` followers.
    func report(_ event: SupervisorEvent) {
        if options.quiet && !event.isFailure { return }
        var stamp: String?
        func time() -> String {
            if let stamp { return stamp }
            let now = WallClock.iso8601()
            stamp = now
            return now
        }
        logs.message(event, time: time())
        control?.publish(event, time: time)
    }

    /// A line of the runtime's own.
    func message(_ text: String) { report(.note(text)) }
}

extension Runtime: ControlHost {
    var supervisor: Supervisor { core }

    func submit(_ request: OrchCore.Request) {
        dispatch(.request(request))
        switch request {
        case .scale:
            logs.include(core.instances.map(\.name))
        case .reload:
            logs.include(core.instances.map(\.name))
            setUpWatches()
        default:
            break
        }
    }

    func requestShutdown() { enqueue(.shutdown(.request)) }

    func logTail(of instance: String, lines: Int) -> [String] { logs.tail(of: instance, lines: lines) }

    func followersChanged(all: Bool, names: Set<String>) { logs.follow(all: all, names: names) }
}

/// How one instance ended, for reports.
public struct InstanceResult: Sendable {
    public enum Result: Sendable, Equatable {
        case succeeded
        case failed(String)
        /// A service orch stopped once the targets were done: its normal end.
        case stopped
        /// A target orch stopped before it finished (a signal, --fail-fast, another failure).
        case unfinished(String)
        case notStarted(String)
    }
    /// How many of the last lines reports keep.
    public static let tailLines = 50
    public var name: String
    public var process: String
    /// Named by `orch run` (or a job when none were named).
    public var target: Bool
    public var result: Result
    public var exitCode: Int32?
    public var restarts: Int
    public var duration: Duration?
    /// Its last lines of output (at most `tailLines`), oldest first.
    public var lastLines: [String] = []
}

let SIGHUP_: Int32 = 1
let SIGINT_: Int32 = 2
let SIGQUIT_: Int32 = 3
let SIGKILL_: Int32 = 9
let SIGUSR1_: Int32 = 10
let SIGUSR2_: Int32 = 12
let SIGTERM_: Int32 = 15
let SIGCHLD_: Int32 = 17
let SIGCONT_: Int32 = 18
let ENOEXEC_: Int32 = 8
let EBADF_: Int32 = 9
