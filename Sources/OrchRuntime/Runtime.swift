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
    public init(style: OutputStyle, orphanTimeout: Duration = .seconds(5), control: ControlOptions? = nil) {
        self.style = style
        self.orphanTimeout = orphanTimeout
        self.control = control
    }
}

/// The shell: one epoll loop on the calling thread that turns kernel readiness into
/// `Supervisor` events and carries out its effects. Call `SignalFD.blockSignals()`
/// before any thread exists, then `run()` from the main thread.
public final class Runtime {
    var core: Supervisor
    let options: RuntimeOptions
    let epoll: Epoll
    let signals: SignalFD
    let timer: TimerFD
    let output: OutputSink
    var prefixes: Prefixes
    let devNull: Int32

    enum Source {
        case signals
        case timer
        case stdoutWritable
        case childOutput(ChildOutput)
        case probe(ProbeRun)
        case controlListener(Int32)
        case watcher
        case control(ControlConnection)
    }

    var sources: [UInt64: Source] = [:]
    var nextRegistration: UInt64 = 16
    /// Leader pid → instance name, for every instance whose leader is alive.
    var leaders: [Int32: String] = [:]
    /// Groups whose leader is gone but whose members are not: pid → instance name.
    var lingering: [Int32: String] = [:]
    /// Output pipes by instance leader pid.
    var outputs: [Int32: ChildOutput] = [:]
    var probes: [ObjectIdentifier: ProbeRun] = [:]
    var probeByPid: [Int32: ProbeRun] = [:]
    var deferredSpawns: [(spec: InstanceSpec, at: Int64, announced: Bool)] = []
    var queue: [Event] = []
    var readBuffer = [UInt8](repeating: 0, count: 256 << 10)
    var readingPaused = false
    /// What the timerfd is armed at, so an unchanged deadline costs no syscall.
    var armedDeadline: Int64?
    /// Set while orch waits for its stdout to take more.
    var stdoutRegistration: UInt64?
    var exitCode: Int32?
    var interrupts = 0
    var controlOptions: ControlOptions? { options.control }
    var watcher: FileWatcher?
    var logFiles: [String: LogFileWriter] = [:]
    var watcherRegistration: UInt64 = 0
    var controlListener: Int32 = -1
    var unixListener: Int32 = -1
    var controlToken: [UInt8] = []
    var controlEndpoint: ControlEndpoint?
    var stateFilePath: String?
    var connections: [UInt64: ControlConnection] = [:]
    var logRings: [String: LogRing] = [:]
    var followAllLogs = false
    var followedInstances = Set<String>()
    var firstStarted: [String: Int64] = [:]
    var lastExited: [String: Int64] = [:]

    public init(project: ProjectSpec, selected: [String]?, mode: Mode, options: RuntimeOptions) throws(SystemError) {
        core = Supervisor(project: project, selected: selected, mode: mode, seed: UInt64(truncatingIfNeeded: Clock.realtimeNanoseconds()))
        self.options = options
        epoll = try Epoll()
        signals = try SignalFD()
        timer = try TimerFD()
        output = OutputSink()
        devNull = try Descriptor.openDevNull()
        let names = core.instances.map(\.name) + ["orch"]
        prefixes = Prefixes(names: names, processOrder: project.processes.map(\.name), style: options.style)
        try Processes.becomeSubreaper()
        try register(signals.fd, events: Epoll.readable, as: .signals)
        try register(timer.fd, events: Epoll.readable, as: .timer)
    }

    /// Binds the control port (if configured), writes the state file and sets up
    /// file watches; call before `run`.
    public func prepare() throws {
        if let control = options.control { try startControl(control) }
        setUpWatches()
    }

    /// (Re)creates the inotify watches for every process in this run that has `watch`.
    func setUpWatches() {
        if let old = watcher {
            unregister(old.inotify.fd, watcherRegistration)
            watcher = nil
        }
        let running = Set(core.instances.map(\.process))
        let watched = core.project.processes.filter { running.contains($0.name) && $0.watch != nil }
        guard !watched.isEmpty else { return }
        do {
            let created = try FileWatcher(projectDirectory: core.project.directory)
            for process in watched {
                guard let spec = process.watch else { continue }
                for problem in created.watch(process: process.name, spec: spec) { message(problem) }
            }
            watcherRegistration = try register(created.inotify.fd, events: Epoll.readable, as: .watcher)
            watcher = created
        } catch {
            message("cannot watch files: \(error)")
        }
    }

    /// The control port's address, once bound.
    public var controlAddress: String? { controlEndpoint?.address }

    deinit {
        Descriptor.close(devNull)
    }

    /// Runs until the supervisor has stopped everything; returns orch's exit code.
    public func run() -> Int32 {
        dispatch(.start)
        while exitCode == nil {
            armTimer()
            flushOutput()
            let ready: [(data: UInt64, events: UInt32)]
            do { ready = try epoll.wait() } catch {
                message("\(error)")
                dispatch(.killAll)
                continue
            }
            for (data, events) in ready {
                guard let source = sources[data] else { continue }
                handle(source, events: events)
            }
            drainQueue()
        }
        stopControl()
        finishOrphans()
        output.drainBlocking()
        output.restore()
        return exitCode ?? 1
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
            case .ended(.stopped):
                result = record.everStarted ? .stopped : .notStarted("stopped before it started")
            default:
                result = .stopped
            }
            var duration: Duration?
            if let start = firstStarted[record.name] {
                duration = .nanoseconds((lastExited[record.name] ?? Clock.monotonicNanoseconds()) - start)
            }
            return InstanceResult(name: record.name, process: record.process, target: core.targets.contains(record.process),
                                  result: result, exitCode: code, restarts: record.restarts, duration: duration)
        }
    }

    // MARK: - Events in

    func handle(_ source: Source, events: UInt32) {
        switch source {
        case .signals:
            for signo in signals.drain() { handleSignal(signo) }
        case .timer:
            timer.drain()
            armedDeadline = nil
            fireTimers()
        case .stdoutWritable:
            flushOutput()
        case let .childOutput(child):
            readOutput(child, untilDrained: false)
        case let .probe(run):
            advanceProbe(run, events: events)
        case let .controlListener(fd):
            acceptConnections(on: fd)
        case .watcher:
            for (process, path) in watcher?.changes() ?? [] { enqueue(.fileChanged(process: process, path: path)) }
        case let .control(connection):
            serviceConnection(connection, events: events)
        }
    }

    func handleSignal(_ signo: Int32) {
        switch signo {
        case SIGCHLD_: reap()
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
        let exits = Processes.reapAll()
        for (pid, status) in exits {
            let termination: Termination
            switch status {
            case let .exited(code): termination = .exited(code)
            case let .signaled(signal): termination = .signaled(signal)
            }
            if let name = leaders.removeValue(forKey: pid) {
                lastExited[name] = Clock.monotonicNanoseconds()
                if let child = outputs[pid] { readOutput(child, untilDrained: true) }
                let groupEmpty = !Processes.groupExists(pid)
                if groupEmpty { closeOutput(of: pid) } else { lingering[pid] = name }
                enqueue(.exited(instance: name, pid: pid, termination: termination, groupEmpty: groupEmpty))
            } else if let run = probeByPid.removeValue(forKey: pid) {
                finishProbe(run, passed: termination == .exited(0), detail: termination == .exited(0) ? "" : "check exited with \(termination)")
            }
        }
        checkLingering()
    }

    func checkLingering() {
        for (pid, name) in lingering where !Processes.groupExists(pid) {
            lingering.removeValue(forKey: pid)
            closeOutput(of: pid)
            enqueue(.groupEmpty(instance: name, pid: pid))
        }
    }

    func fireTimers() {
        let now = Clock.monotonicNanoseconds()
        for run in probes.values where run.deadline <= now {
            finishProbe(run, passed: false, detail: "timed out")
        }
        if !deferredSpawns.isEmpty {
            let due = deferredSpawns.filter { $0.at <= now }
            deferredSpawns.removeAll { $0.at <= now }
            for entry in due { spawn(entry.spec, announced: entry.announced) }
        }
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
            spawn(spec, announced: false)
        case let .signalGroup(_, pid, signal):
            Processes.signalGroup(pid, signal)
        case let .probe(name, pid, check, timeout):
            startProbe(instance: name, pid: pid, check: check, timeout: timeout)
        case let .message(text):
            message(text)
        case let .signalOrphans(signal):
            signalOrphans(signal)
        case let .exit(code):
            exitCode = code
        }
    }

    func armTimer() {
        var deadline = core.nextDeadline?.nanoseconds
        for run in probes.values { deadline = min(deadline ?? run.deadline, run.deadline) }
        for entry in deferredSpawns { deadline = min(deadline ?? entry.at, entry.at) }
        if !lingering.isEmpty {
            // A group member whose parent is not orch can end without a SIGCHLD to us.
            let soon = Clock.monotonicNanoseconds() + 100_000_000
            deadline = min(deadline ?? soon, soon)
        }
        if deadline != armedDeadline {
            try? timer.arm(atNanoseconds: deadline)
            armedDeadline = deadline
        }
    }

    // MARK: - Spawning

    func spawn(_ spec: InstanceSpec, announced: Bool) {
        if case let .tcp(host, portText)? = spec.ready?.check, let port = UInt16(portText),
           Socket.isListening(host: host, port: port) {
            // A restart must not race whoever still holds the port.
            if !announced { message("\(spec.name) waiting for port \(port) to be free") }
            deferredSpawns.append((spec, Clock.monotonicNanoseconds() + 100_000_000, true))
            return
        }
        let pipe: (read: Int32, write: Int32)
        do {
            if spec.pty {
                let terminal = try Descriptor.pseudoTerminal()
                pipe = (terminal.master, terminal.slave)
            } else {
                pipe = try Descriptor.pipe(capacity: 256 << 10)
            }
        } catch {
            enqueue(.spawnFailed(instance: spec.name, reason: "\(error)"))
            return
        }
        let pid: Int32
        let program = CommandLine.resolve(spec.command, environment: spec.environment)
        do {
            pid = try Spawner.spawn(
                path: program.path, arguments: program.arguments, environment: spec.environment,
                cwd: spec.cwd, stdin: spec.pty ? pipe.write : devNull, stdout: pipe.write, stderr: pipe.write,
                controllingTerminal: spec.pty)
        } catch where error.step == .execve && error.errno == ENOEXEC_ && !program.arguments.starts(with: ["/bin/sh"]) {
            // A script without a #! line: the shell runs those.
            spawnThroughShell(spec, pipe: pipe)
            return
        } catch {
            Descriptor.close(pipe.read)
            Descriptor.close(pipe.write)
            enqueue(.spawnFailed(instance: spec.name, reason: "\(error)"))
            return
        }
        started(spec, pid: pid, pipe: pipe)
    }

    private func spawnThroughShell(_ spec: InstanceSpec, pipe: (read: Int32, write: Int32)) {
        do {
            let pid = try Spawner.spawn(
                path: "/bin/sh", arguments: ["/bin/sh", "-c", spec.command], environment: spec.environment,
                cwd: spec.cwd, stdin: spec.pty ? pipe.write : devNull, stdout: pipe.write, stderr: pipe.write,
                controllingTerminal: spec.pty)
            started(spec, pid: pid, pipe: pipe)
        } catch {
            Descriptor.close(pipe.read)
            Descriptor.close(pipe.write)
            enqueue(.spawnFailed(instance: spec.name, reason: "\(error)"))
        }
    }

    /// Registers a freshly spawned instance's output and tells the core.
    private func started(_ spec: InstanceSpec, pid: Int32, pipe: (read: Int32, write: Int32)) {
        Descriptor.close(pipe.write)
        var awaitingLog: [UInt8]?
        if case let .log(text)? = spec.ready?.check { awaitingLog = Array(text.utf8) }
        let child = ChildOutput(fd: pipe.read, pid: pid, instance: spec.name, process: spec.process, awaitingLog: awaitingLog)
        if let log = spec.log { child.logFile = logFile(for: log, instance: spec.name) }
        do {
            child.registration = try register(pipe.read, events: readingPaused ? 0 : Epoll.readable, as: .childOutput(child))
        } catch {
            Descriptor.close(pipe.read)
            child.fd = -1
        }
        outputs[pid] = child
        leaders[pid] = spec.name
        if firstStarted[spec.name] == nil { firstStarted[spec.name] = Clock.monotonicNanoseconds() }
        enqueue(.spawned(instance: spec.name, pid: pid))
    }

    // MARK: - Output

    func message(_ text: String) {
        if options.style.json {
            output.append(JSONLine.event(text))
        } else {
            let prefix = prefixes.prefix(for: "orch", process: "orch")
            output.append((options.style.timestamps ? Array((WallClock.localTime() + " ").utf8) : []) + prefix + Array(text.utf8) + [0x0A])
        }
        if !connections.isEmpty { publish(event: text) }
    }

    func readOutput(_ child: ChildOutput, untilDrained: Bool) {
        guard child.fd >= 0 else { return }
        let prefix = linePrefix(for: child)
        var rounds = 0
        // Draining is bounded too: a grandchild may keep the pipe open and busy.
        while rounds < (untilDrained ? 64 : 4) {
            rounds += 1
            let result: Descriptor.ReadResult
            do { result = try Descriptor.read(child.fd, into: &readBuffer) } catch { result = .endOfFile }
            switch result {
            case let .bytes(n):
                frame(child, count: n, prefix: prefix)
                if n < readBuffer.count && !untilDrained { return }
            case .wouldBlock:
                return
            case .endOfFile:
                flushPartial(child)
                unregister(child)
                return
            }
            if output.isFull && !untilDrained {
                pauseReading()
                return
            }
        }
    }

    func frame(_ child: ChildOutput, count: Int, prefix: [UInt8]) {
        if controlListener >= 0 { logRings[child.instance, default: LogRing()].append(readBuffer[..<count]) }
        let followed = followAllLogs || (!followedInstances.isEmpty && followedInstances.contains(child.instance))
        guard options.style.json || followed || child.logFile != nil || child.awaitingLog != nil else {
            // The hot path: whole lines straight into the output buffer.
            output.withBuffer { child.framer.frame(readBuffer, count: count, prefix: prefix, into: &$0) }
            return
        }
        var lines: [ArraySlice<UInt8>] = []
        if options.style.json {
            var unused: [UInt8] = []
            child.framer.frame(readBuffer, count: count, prefix: [], into: &unused) { lines.append($0) }
            for line in lines { output.append(JSONLine.line(process: child.instance, bytes: line)) }
        } else {
            output.withBuffer { child.framer.frame(readBuffer, count: count, prefix: prefix, into: &$0) { lines.append($0) } }
        }
        deliver(lines, from: child, followed: followed)
    }

    /// `web | `, after the time of reading when --timestamps is on.
    func linePrefix(for child: ChildOutput) -> [UInt8] {
        let name = prefixes.prefix(for: child.instance, process: child.process)
        return options.style.timestamps ? Array((WallClock.localTime() + " ").utf8) + name : name
    }

    /// Lines for log probes, followers and log files (the slow path).
    func deliver(_ lines: [ArraySlice<UInt8>], from child: ChildOutput, followed: Bool) {
        for line in lines {
            if let needle = child.awaitingLog, contains(line, needle) {
                child.awaitingLog = nil
                enqueue(.probeFinished(instance: child.instance, pid: child.pid, passed: true, detail: ""))
            }
            if followed { publish(line: line, instance: child.instance) }
        }
        if let file = child.logFile { file.write(lines) }
    }

    func closeOutput(of pid: Int32) {
        guard let child = outputs.removeValue(forKey: pid) else { return }
        readOutput(child, untilDrained: true)
        flushPartial(child)
        unregister(child)
    }

    /// The partial last line of a child that is gone, to every destination.
    func flushPartial(_ child: ChildOutput) {
        var lines: [ArraySlice<UInt8>] = []
        if options.style.json {
            var unused: [UInt8] = []
            child.framer.flush(prefix: [], into: &unused) { lines.append($0) }
            for line in lines { output.append(JSONLine.line(process: child.instance, bytes: line)) }
        } else {
            let prefix = linePrefix(for: child)
            output.withBuffer { child.framer.flush(prefix: prefix, into: &$0) { lines.append($0) } }
        }
        if !lines.isEmpty {
            deliver(lines, from: child, followed: followAllLogs || followedInstances.contains(child.instance))
        }
    }

    /// One writer per log file path, shared by replicas.
    func logFile(for spec: LogFileSpec, instance: String) -> LogFileWriter? {
        if let existing = logFiles[spec.file] { return existing }
        do {
            let writer = try LogFileWriter(spec)
            logFiles[spec.file] = writer
            return writer
        } catch {
            message("\(instance): cannot write its log file: \(error)")
            return nil
        }
    }

    func unregister(_ child: ChildOutput) {
        guard child.fd >= 0 else { return }
        unregister(child.fd, child.registration)
        Descriptor.close(child.fd)
        child.fd = -1
    }

    func flushOutput() {
        switch output.flush() {
        case .done:
            if let id = stdoutRegistration {
                unregister(output.fd, id)
                stdoutRegistration = nil
            }
            if readingPaused { resumeReading() }
        case .blocked:
            if stdoutRegistration == nil {
                stdoutRegistration = try? register(output.fd, events: Epoll.writable, as: .stdoutWritable)
            }
            if output.isFull { pauseReading() }
        case .brokenPipe:
            if readingPaused { resumeReading() }
            enqueue(.shutdown(.outputClosed))
            drainQueue()
        }
    }

    /// orch's stdout is behind: stop reading children so they block in write(2).
    func pauseReading() {
        guard !readingPaused else { return }
        readingPaused = true
        for child in outputs.values where child.fd >= 0 {
            try? epoll.modify(child.fd, events: 0, data: child.registration)
        }
    }

    func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        for child in outputs.values where child.fd >= 0 {
            try? epoll.modify(child.fd, events: Epoll.readable, data: child.registration)
        }
    }

    // MARK: - Probes

    func startProbe(instance: String, pid: Int32, check: ProbeCheck, timeout: Duration) {
        let (sum, overflow) = Clock.monotonicNanoseconds().addingReportingOverflow(timeout.nanoseconds)
        let deadline = overflow ? Int64.max : sum
        let run = ProbeRun(instance: instance, pid: pid, deadline: deadline)
        switch check {
        case let .tcp(host, portText):
            guard let port = UInt16(portText) else {
                enqueue(.probeFinished(instance: instance, pid: pid, passed: false, detail: "'\(portText)' is not a port"))
                return
            }
            connectProbe(run, host: host, port: port)
        case let .http(url):
            guard let target = HTTPTarget(url) else {
                enqueue(.probeFinished(instance: instance, pid: pid, passed: false, detail: "'\(url)' is not an http:// URL"))
                return
            }
            run.request = Array("GET \(target.path) HTTP/1.0\r\nHost: \(target.host):\(target.port)\r\nConnection: close\r\n\r\n".utf8)
            connectProbe(run, host: target.host, port: target.port)
        case let .exec(command):
            guard let record = core.instance(named: instance) else { return }
            do {
                let probePid = try Spawner.spawn(
                    path: "/bin/sh", arguments: ["/bin/sh", "-c", command], environment: record.spec.environment,
                    cwd: record.spec.cwd, stdin: devNull, stdout: devNull, stderr: devNull)
                run.probePid = probePid
                probeByPid[probePid] = run
                probes[ObjectIdentifier(run)] = run
            } catch {
                enqueue(.probeFinished(instance: instance, pid: pid, passed: false, detail: "\(error)"))
            }
        case .log:
            break
        }
    }

    func connectProbe(_ run: ProbeRun, host: String, port: UInt16) {
        do {
            run.fd = try Socket.connect(host: host, port: port)
            run.registration = try register(run.fd, events: Epoll.writable, as: .probe(run))
            probes[ObjectIdentifier(run)] = run
        } catch {
            if run.fd >= 0 { Descriptor.close(run.fd); run.fd = -1 }
            enqueue(.probeFinished(instance: run.instance, pid: run.pid, passed: false, detail: "\(error)"))
        }
    }

    func advanceProbe(_ run: ProbeRun, events: UInt32) {
        guard run.fd >= 0 else { return }
        if !run.connected {
            let error = Socket.pendingError(run.fd)
            guard error == 0 else {
                finishProbe(run, passed: false, detail: "connect: \(SystemError.describe(error))")
                return
            }
            run.connected = true
            guard let request = run.request else {
                finishProbe(run, passed: true, detail: "")
                return
            }
            _ = try? Descriptor.write(run.fd, request)
            try? epoll.modify(run.fd, events: Epoll.readable, data: run.registration)
            return
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let result = (try? Descriptor.read(run.fd, into: &buffer)) ?? .endOfFile
        switch result {
        case let .bytes(n):
            run.response.append(contentsOf: buffer[..<n])
            if let status = HTTPTarget.status(run.response) {
                finishProbe(run, passed: (200..<400).contains(status), detail: "HTTP \(status)")
            }
        case .wouldBlock:
            break
        case .endOfFile:
            let status = HTTPTarget.status(run.response)
            finishProbe(run, passed: status.map { (200..<400).contains($0) } ?? false, detail: status.map { "HTTP \($0)" } ?? "no HTTP response")
        }
    }

    func finishProbe(_ run: ProbeRun, passed: Bool, detail: String) {
        guard probes.removeValue(forKey: ObjectIdentifier(run)) != nil else { return }
        if run.fd >= 0 {
            unregister(run.fd, run.registration)
            Descriptor.close(run.fd)
            run.fd = -1
        }
        if let probePid = run.probePid, probeByPid.removeValue(forKey: probePid) != nil {
            // Timed out: the check's whole group goes; its exit is reaped and ignored.
            Processes.signalGroup(probePid, SIGKILL_)
        }
        enqueue(.probeFinished(instance: run.instance, pid: run.pid, passed: passed, detail: detail))
    }

    // MARK: - Orphans

    func signalOrphans(_ signal: Int32) {
        let me = Processes.currentPID
        for pid in Processes.children(of: me) where leaders[pid] == nil && probeByPid[pid] == nil {
            let group = Processes.stat(of: pid)?.group ?? 0
            if group == pid { Processes.signalGroup(pid, signal) } else { Processes.signal(pid, signal) }
        }
    }

    /// After the last instance: wait for orphans that got SIGTERM, then SIGKILL them,
    /// and reap everything, so nothing orch started outlives it.
    func finishOrphans() {
        let me = Processes.currentPID
        let deadline = Clock.monotonicNanoseconds() + options.orphanTimeout.nanoseconds
        var killed = false
        while true {
            _ = Processes.reapAll()
            let left = Processes.children(of: me)
            if left.isEmpty { return }
            let now = Clock.monotonicNanoseconds()
            if now >= deadline && !killed {
                for pid in left { Processes.signalGroup(pid, SIGKILL_); Processes.signal(pid, SIGKILL_) }
                killed = true
            }
            try? timer.arm(atNanoseconds: killed ? now + 10_000_000 : min(deadline, now + 50_000_000))
            flushOutput()
            _ = try? epoll.wait(timeoutMilliseconds: 100)
            timer.drain()
            _ = signals.drain()
        }
    }

    // MARK: - Registrations

    /// Stops watching `fd` (the caller closes it); its late events are dropped by id.
    func unregister(_ fd: Int32, _ id: UInt64) {
        epoll.remove(fd)
        sources.removeValue(forKey: id)
    }

    @discardableResult
    func register(_ fd: Int32, events: UInt32, as source: Source) throws(SystemError) -> UInt64 {
        let id = nextRegistration
        nextRegistration += 1
        try epoll.add(fd, events: events, data: id)
        sources[id] = source
        return id
    }
}

/// How one instance ended, for reports.
public struct InstanceResult: Sendable {
    public enum Result: Sendable, Equatable {
        case succeeded
        case failed(String)
        case stopped
        case notStarted(String)
    }
    public var name: String
    public var process: String
    /// Named by `orch run` (or a job when none were named).
    public var target: Bool
    public var result: Result
    public var exitCode: Int32?
    public var restarts: Int
    public var duration: Duration?
}

/// One child's output pipe and its partial line.
final class ChildOutput {
    var fd: Int32
    let pid: Int32
    let instance: String
    let process: String
    var framer = LineFramer()
    var registration: UInt64 = 0
    /// The text of a `ready: {log}` check not yet seen.
    var awaitingLog: [UInt8]?
    /// `log: {file}`: where its lines also go.
    var logFile: LogFileWriter?

    init(fd: Int32, pid: Int32, instance: String, process: String, awaitingLog: [UInt8]?) {
        self.fd = fd
        self.pid = pid
        self.instance = instance
        self.process = process
        self.awaitingLog = awaitingLog
    }
}

/// One readiness check in flight.
final class ProbeRun {
    let instance: String
    let pid: Int32
    let deadline: Int64
    var fd: Int32 = -1
    var registration: UInt64 = 0
    var connected = false
    var request: [UInt8]?
    var response: [UInt8] = []
    var probePid: Int32?

    init(instance: String, pid: Int32, deadline: Int64) {
        self.instance = instance
        self.pid = pid
        self.deadline = deadline
    }
}

/// The parts of an `http://host:port/path` URL a probe needs.
struct HTTPTarget {
    var host: String
    var port: UInt16
    var path: String

    init?(_ url: String) {
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
    static func status(_ response: [UInt8]) -> Int? {
        guard let end = response.firstIndex(of: 0x0A) else { return nil }
        let line = String(decoding: response[..<end], as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return 0 }
        return Int(parts[1]) ?? 0
    }
}

func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty else { return true }
    guard haystack.count >= needle.count else { return false }
    var i = haystack.startIndex
    let last = haystack.endIndex - needle.count
    while i <= last {
        if haystack[i] == needle[0] && haystack[i..<i + needle.count].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}

let SIGHUP_: Int32 = 1
let SIGINT_: Int32 = 2
let SIGQUIT_: Int32 = 3
let SIGKILL_: Int32 = 9
let SIGUSR1_: Int32 = 10
let SIGUSR2_: Int32 = 12
let SIGTERM_: Int32 = 15
let SIGCHLD_: Int32 = 17
let ENOEXEC_: Int32 = 8
