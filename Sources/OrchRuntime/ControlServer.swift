import OrchConfig
import OrchCore
import OrchLimits
import OrchProtocol
import OrchSystem

/// Where a running orch publishes its control endpoint so that `orch ctl` finds
/// it (the state file, in `OrchClient`): the runtime serves, the registry tells.
public protocol EndpointRegistry: Sendable {
    /// A live orch that already serves `project`, if any; throws when where it would
    /// be found cannot be trusted (another user's directory or file).
    func running(project: String) throws -> ControlEndpoint?
    /// Publishes this orch's endpoint; returns what to hand to `withdraw`.
    func publish(_ endpoint: ControlEndpoint) throws -> String
    /// Removes what `publish` wrote, if it still names this orch.
    func withdraw(_ published: String)
}

/// How the control port is set up.
public struct ControlOptions: Sendable {
    public var host: String
    /// 0 = ephemeral.
    public var port: UInt16
    /// The port was given explicitly (--port, ORCH_PORT, control.port).
    public var explicitPort: Bool
    public var project: String
    /// Also listen on this Unix-domain socket (control.socket).
    public var socket: String?
    public var environment: [String: String]
    /// Re-reads the config for `reload`.
    public var reload: @Sendable () -> Result<ProjectSpec, ConfigError>
    public var registry: any EndpointRegistry

    public init(host: String = "127.0.0.1", port: UInt16 = 0, explicitPort: Bool = false, project: String, socket: String? = nil,
                environment: [String: String], registry: any EndpointRegistry,
                reload: @escaping @Sendable () -> Result<ProjectSpec, ConfigError>) {
        self.registry = registry
        self.socket = socket
        self.host = host
        self.port = port
        self.explicitPort = explicitPort
        self.project = project
        self.environment = environment
        self.reload = reload
    }
}

/// Another orch already serves this project.
public struct AlreadyRunning: Error, CustomStringConvertible {
    public var endpoint: ControlEndpoint
    public var description: String {
        "orch is already running for \(endpoint.project) (pid \(endpoint.pid), \(endpoint.address)); stop it with `orch ctl down` first (a second one needs an explicit --port and is reached with `orch ctl --control 127.0.0.1:PORT`)"
    }
}

/// What the control server may ask of the rest of orch: read the core, and hand it
/// requests. It has no other way to change anything.
protocol ControlHost: AnyObject {
    var supervisor: Supervisor { get }
    /// Hands a request to the core (and lets the runtime follow up: prefixes, watches).
    func submit(_ request: OrchCore.Request)
    /// A client asked orch to stop.
    func requestShutdown()
    /// A line of orch's own.
    func message(_ text: String)
    /// The last `lines` lines an instance printed.
    func logTail(of instance: String, lines: Int) -> [String]
    /// The set of instances some client follows changed.
    func followersChanged(all: Bool, names: Set<String>)
    /// Reads the config again and applies it: the one reload path, also taken when
    /// a config file is saved.
    func reloadConfig(announce: (ReloadReport) -> Void) -> ReloadOutcome
}

/// One control connection. Reads are bounded by the line limit, writes by
/// `maxPending`: a client that stops reading is dropped, never waited for.
final class ControlConnection {
    let id: UInt64
    /// nil once closed.
    var fd: FileDescriptor?
    var registration: UInt64 = 0
    var input: [UInt8] = []
    /// How much of `input` is known to hold no newline.
    var scanned = 0
    var output: [UInt8] = []
    var outputOffset = 0
    var authenticated = false
    var wantsWritable = false
    /// Instances whose lines are streamed (`logs --follow`); nil = not following.
    var followLogs: Set<String>?
    var followEvents = false
    var closeAfterFlush = false
    /// Complete requests wait in `input` for a later turn of the loop; the socket
    /// is not read meanwhile.
    var backlogged = false
    /// When an unauthenticated connection is closed (monotonic ns).
    let authDeadline: Int64
    static let maxPending = Limits.controlPendingBytes

    init(id: UInt64, fd: consuming FileDescriptor, authDeadline: Int64) {
        self.id = id
        self.fd = consume fd
        self.authDeadline = authDeadline
    }

    var isOpen: Bool { fd != nil }
}

/// A listening socket (TCP or Unix) of the control port.
final class Listener {
    let fd: FileDescriptor
    let registration: UInt64
    init(fd: consuming FileDescriptor, registration: UInt64) {
        self.fd = fd
        self.registration = registration
    }
}

/// The control port: listeners, connections, authentication, and the JSON-RPC
/// requests of `orch ctl`, each answered from the core's state or turned into a core
/// request through its host.
final class ControlServer {
    let options: ControlOptions
    private let loop: EventLoop
    private unowned let host: ControlHost
    private var listeners: [Listener] = []
    private var token: [UInt8] = []
    private(set) var endpoint: ControlEndpoint?
    /// What the registry published for this orch.
    private var published: String?
    private var connections: [UInt64: ControlConnection] = [:]
    /// Connections not yet authenticated, oldest first (their deadlines are in order).
    private var unauthenticated: [UInt64] = []
    private var authenticatedCount = 0
    /// Connections with requests left for the next turn, in order.
    private var backlog: [UInt64] = []
    private var nextID: UInt64 = 1
    /// Set while accepting is paused for want of descriptors: when to try again.
    private var acceptRetry: Int64?
    /// The shortage was reported; said once until connections are accepted again.
    private var shortageReported = false

    /// A connection must authenticate this soon, or it is closed: idle connections
    /// from other local users cannot hold the port.
    static let authTimeout: Duration = .seconds(2)
    /// Separate budgets, so unauthenticated connections never lock out the owner.
    static let maxUnauthenticated = Limits.controlConnections
    static let maxAuthenticated = Limits.controlConnections
    /// How long accepting pauses after EMFILE before it tries again.
    static let acceptRetryDelay: Duration = .milliseconds(250)
    /// Longest process name a request may carry (config names are far shorter).
    static let maxNameBytes = 256
    /// Requests of one connection handled per turn of the loop: a client that
    /// pipelines thousands of reloads must not keep the others waiting.
    static let requestsPerTurn = 16
    /// Most names one request may carry.
    static let maxNames = 1024
    /// Most bytes of lines one `logs` answer carries (half of what a client may
    /// have pending, so that it can always be delivered).
    static let logsReplyBytes = ControlConnection.maxPending / 2

    init(options: ControlOptions, loop: EventLoop, host: ControlHost) {
        self.options = options
        self.loop = loop
        self.host = host
    }

    private var core: Supervisor { host.supervisor }

    var hasConnections: Bool { !connections.isEmpty }

    /// Binds the control port and writes the state file.
    func start() throws {
        let control = options
        // Throws when the state file's directory or file cannot be trusted.
        if let endpoint = try control.registry.running(project: control.project), endpoint.pid != Processes.currentPID {
            if !control.explicitPort { throw AlreadyRunning(endpoint: endpoint) }
            host.message("another orch serves this project (pid \(endpoint.pid), \(endpoint.address)); `orch ctl` needs --control \(control.host):\(control.port)")
        }
        let (fd, port) = try Socket.listen(host: control.host, port: control.port)
        try addListener(FileDescriptor(owning: fd))
        if let path = control.socket {
            try addListener(FileDescriptor(owning: try Socket.listenUnix(path: path)))
        }
        let token = Files.randomBytes(32).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
        self.token = Array(token.utf8)
        let endpoint = ControlEndpoint(pid: Processes.currentPID, host: control.host, port: Int(port), token: token, project: control.project, socket: control.socket)
        self.endpoint = endpoint
        if try control.registry.running(project: control.project) != nil {
            return  // another orch keeps the state file; this one is reached with --control
        }
        published = try control.registry.publish(endpoint)
    }

    private func addListener(_ fd: consuming FileDescriptor) throws(SystemError) {
        let registration = try loop.register(fd.raw, events: Epoll.readable, as: .controlListener)
        listeners.append(Listener(fd: fd, registration: registration))
    }

    /// Removes the state file (ours only), closes every connection and listener.
    func stop() {
        if let published {
            options.registry.withdraw(published)
            self.published = nil
        }
        for connection in connections.values { close(connection) }
        let hadUnix = listeners.count > 1
        while let listener = listeners.popLast() {
            loop.unregister(listener.fd.raw, listener.registration)
        }
        if hadUnix, let path = options.socket { Files.remove(path) }
    }

    // MARK: - Connections

    /// A listener is readable: accept what is waiting. At the descriptor limit the
    /// listeners stop being watched (level-triggered, they would wake the loop
    /// forever) until a retry a moment later.
    func acceptConnections() {
        for index in listeners.indices {
            let listener = listeners[index].fd.raw
            accepting: while true {
                switch Socket.acceptOne(listener) {
                case let .connection(fd):
                    admit(FileDescriptor(owning: fd))
                case .none:
                    break accepting
                case let .exhausted(error):
                    pauseAccepting(error)
                    return
                }
            }
        }
        if shortageReported {
            shortageReported = false
            host.message("control port: accepting connections again")
        }
    }

    private func admit(_ descriptor: consuming FileDescriptor) {
        guard authenticatedCount < ControlServer.maxAuthenticated else {
            // No room for another client whoever it is: say so at once.
            _ = try? Descriptor.write(descriptor.raw, Wire.encode(Response(id: nil, error: RPCError(
                code: RPCError.failed, message: "too many control connections (\(ControlServer.maxAuthenticated))"))))
            return
        }
        if unauthenticated.count >= ControlServer.maxUnauthenticated, let oldest = unauthenticated.first, let victim = connections[oldest] {
            // Make room by the oldest unauthenticated connection, never by refusing.
            close(victim)
        }
        let id = nextID
        nextID += 1
        let raw = descriptor.raw
        guard let registration = try? loop.register(raw, events: Epoll.readable, as: .control(id)) else { return }
        let deadline = (Instant(nanoseconds: Clock.monotonicNanoseconds()) + ControlServer.authTimeout).nanoseconds
        let connection = ControlConnection(id: id, fd: descriptor, authDeadline: deadline)
        connection.registration = registration
        connections[id] = connection
        unauthenticated.append(id)
    }

    private func pauseAccepting(_ error: SystemError) {
        for listener in listeners { loop.modify(listener.fd.raw, events: 0, id: listener.registration) }
        acceptRetry = (Instant(nanoseconds: Clock.monotonicNanoseconds()) + ControlServer.acceptRetryDelay).nanoseconds
        if !shortageReported {
            shortageReported = true
            host.message("control port: cannot accept connections (\(error)); paused until a descriptor is free (raise the limit with ulimit -n)")
        }
    }

    /// The earliest moment `expire` has work: an authentication deadline or a retry.
    var nextDeadline: Int64? {
        if !backlog.isEmpty { return Clock.monotonicNanoseconds() }
        var earliest = acceptRetry
        if let first = unauthenticated.first, let connection = connections[first] {
            earliest = min(earliest ?? connection.authDeadline, connection.authDeadline)
        }
        return earliest
    }

    /// Closes connections that did not authenticate in time; resumes accepting.
    func expire(now: Int64) {
        if !backlog.isEmpty {
            let waiting = backlog
            backlog = []
            for id in waiting {
                guard let connection = connections[id], connection.isOpen else { continue }
                connection.backlogged = false
                processInput(connection)
                if !connection.backlogged { updateInterest(connection) }
            }
        }
        while let first = unauthenticated.first {
            guard let connection = connections[first] else {
                unauthenticated.removeFirst()
                continue
            }
            guard connection.authDeadline <= now else { break }
            close(connection)
        }
        if let retry = acceptRetry, retry <= now {
            acceptRetry = nil
            for listener in listeners { loop.modify(listener.fd.raw, events: Epoll.readable, id: listener.registration) }
            acceptConnections()
        }
    }

    /// Connection `id` is readable or writable.
    func service(_ id: UInt64, events: UInt32) {
        guard let connection = connections[id] else { return }
        if events & Epoll.writable != 0 { flush(connection) }
        guard connection.isOpen, !connection.backlogged, events & (Epoll.readable | Epoll.hangup) != 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 16384)
        for _ in 0..<8 {
            guard let fd = connection.fd?.raw else { return }
            let result = (try? Descriptor.read(fd, into: &buffer)) ?? .endOfFile
            switch result {
            case let .bytes(n):
                connection.input.append(contentsOf: buffer[..<n])
                processInput(connection)
                if !connection.isOpen { return }
            case .wouldBlock:
                return
            case .endOfFile:
                close(connection)
                return
            }
        }
    }

    /// Handles every complete line. Each byte is searched for a newline once
    /// (`scanned`), so a long line costs linear time, not a rescan per read.
    private func processInput(_ connection: ControlConnection) {
        var handled = 0
        while connection.isOpen {
            guard let newline = connection.input[connection.scanned...].firstIndex(of: 0x0A) else {
                connection.scanned = connection.input.count
                break
            }
            if newline > ControlProtocol.maxLineBytes {
                reject(connection, id: nil, RPCError(code: RPCError.invalidRequest, message: "request over 1 MiB"))
                return
            }
            if handled == ControlServer.requestsPerTurn {
                // The rest waits for the next turn, after other clients and children.
                if !connection.backlogged {
                    connection.backlogged = true
                    backlog.append(connection.id)
                    updateInterest(connection)
                }
                return
            }
            handled += 1
            let request = Array(connection.input[..<newline])
            connection.input.removeSubrange(...newline)
            connection.scanned = 0
            handleRequest(request, on: connection)
        }
        if connection.input.count > ControlProtocol.maxLineBytes {
            reject(connection, id: nil, RPCError(code: RPCError.invalidRequest, message: "request over 1 MiB"))
        }
    }

    /// Sends an error and closes the connection once it is written.
    private func reject(_ connection: ControlConnection, id: Int?, _ error: RPCError) {
        send(Response(id: id, error: error), to: connection)
        connection.input = []
        connection.scanned = 0
        connection.closeAfterFlush = true
        flush(connection)
    }

    private func send(_ response: Response, to connection: ControlConnection) {
        send(encoded: Wire.encode(response), to: connection)
    }

    /// Streams encode a note once and hand the same bytes to every follower: a
    /// chatty process followed by many clients costs one encoding per line.
    private func send(encoded: [UInt8], to connection: ControlConnection) {
        guard connection.isOpen else { return }
        connection.output.append(contentsOf: encoded)
        if connection.output.count - connection.outputOffset > ControlConnection.maxPending {
            // A client that does not read must not make orch buffer without bound.
            close(connection)
            return
        }
        // Already waiting for the socket to drain: the writable event flushes, no
        // write per line that would only fail with EAGAIN.
        if !connection.wantsWritable { flush(connection) }
    }

    private func flush(_ connection: ControlConnection) {
        guard let fd = connection.fd?.raw else { return }
        while connection.outputOffset < connection.output.count {
            let result = (try? Descriptor.write(fd, connection.output, offset: connection.outputOffset)) ?? .brokenPipe
            switch result {
            case let .wrote(n):
                connection.outputOffset += n
            case .wouldBlock:
                if connection.outputOffset > 1 << 20 {
                    connection.output.removeFirst(connection.outputOffset)
                    connection.outputOffset = 0
                }
                if !connection.wantsWritable {
                    connection.wantsWritable = true
                    updateInterest(connection)
                }
                return
            case .brokenPipe:
                close(connection)
                return
            }
        }
        connection.output.removeAll(keepingCapacity: connection.output.capacity < 1 << 20)
        connection.outputOffset = 0
        if connection.wantsWritable {
            connection.wantsWritable = false
            updateInterest(connection)
        }
        if connection.closeAfterFlush { close(connection) }
    }

    /// Readable unless requests are waiting in the backlog; writable while output waits.
    private func updateInterest(_ connection: ControlConnection) {
        guard let fd = connection.fd?.raw else { return }
        var events: UInt32 = connection.backlogged ? 0 : Epoll.readable
        if connection.wantsWritable { events |= Epoll.writable }
        loop.modify(fd, events: events, id: connection.registration)
    }

    private func close(_ connection: ControlConnection) {
        guard let fd = connection.fd?.raw else { return }
        loop.unregister(fd, connection.registration)
        connections.removeValue(forKey: connection.id)
        if connection.authenticated {
            authenticatedCount -= 1
        } else if let position = unauthenticated.firstIndex(of: connection.id) {
            unauthenticated.remove(at: position)
        }
        connection.fd = nil
        if connection.followLogs != nil { updateLogFollowers() }
    }
    // MARK: - Requests

    private func handleRequest(_ bytes: [UInt8], on connection: ControlConnection) {
        let request: OrchProtocol.Request
        do {
            request = try Wire.decode(OrchProtocol.Request.self, from: bytes[...])
        } catch {
            // Valid JSON with the wrong shape is a bad request, answered with its id.
            let shape = try? Wire.decode(RequestShape.self, from: bytes[...])
            let error = shape == nil
                ? RPCError(code: RPCError.parseError, message: "invalid JSON request: expected {\"id\":1,\"method\":\"status\",\"params\":{}}")
                : RPCError(code: RPCError.invalidParams, message: "bad request: params are {names: [String], signal: String, count: Int, lines: Int, follow: Bool}")
            if connection.authenticated { send(Response(id: shape?.id, error: error), to: connection) } else { reject(connection, id: shape?.id, error) }
            return
        }
        let id = request.id
        let params = request.params ?? Params()
        guard connection.authenticated else {
            guard request.method == Method.auth.rawValue, let token = params.token,
                  constantTimeEqual(Array(token.utf8), self.token) else {
                reject(connection, id: id, RPCError(code: RPCError.unauthorized, message: "not authenticated: the first request must be auth with the token from the state file"))
                return
            }
            if let position = unauthenticated.firstIndex(of: connection.id) { unauthenticated.remove(at: position) }
            guard authenticatedCount < ControlServer.maxAuthenticated else {
                reject(connection, id: id, RPCError(code: RPCError.failed, message: "too many control connections (\(ControlServer.maxAuthenticated))"))
                return
            }
            connection.authenticated = true
            authenticatedCount += 1
            send(Response(id: id, result: ResultBody(project: endpoint?.project, pid: Processes.currentPID)), to: connection)
            return
        }
        guard let method = Method(rawValue: request.method) else {
            let known = Method.allCases.map(\.rawValue).joined(separator: ", ")
            send(Response(id: id, error: RPCError(code: RPCError.methodNotFound, message: "unknown method '\(request.method)' (methods: \(known))")), to: connection)
            return
        }
        do {
            let result = try perform(method, params, connection: connection)
            send(Response(id: id, result: result), to: connection)
            if method == .shutdown { host.requestShutdown() }
        } catch let error as RPCError {
            send(Response(id: id, error: error), to: connection)
        } catch {
            send(Response(id: id, error: RPCError(code: RPCError.failed, message: "\(error)")), to: connection)
        }
    }

    private func perform(_ method: Method, _ params: Params, connection: ControlConnection) throws -> ResultBody {
        if let names = params.names {
            guard names.count <= ControlServer.maxNames else {
                throw RPCError(code: RPCError.invalidParams, message: "too many names (\(names.count)); at most \(ControlServer.maxNames)")
            }
            if let long = names.first(where: { $0.utf8.count > ControlServer.maxNameBytes }) {
                throw RPCError(code: RPCError.invalidParams, message: "a process name of \(long.utf8.count) bytes: names are at most \(ControlServer.maxNameBytes)")
            }
        }
        switch method {
        case .auth:
            return ResultBody(project: endpoint?.project, pid: Processes.currentPID)
        case .status, .list:
            return ResultBody(project: endpoint?.project, pid: Processes.currentPID, processes: statusRows())
        case .start, .stop, .restart:
            // Stopping a process that was never started must not start it first.
            let names = try resolveTargets(params.names, bringingIn: method != .stop)
            // start acts on what is not running, stop on what is: say so when that is nothing.
            let acting = names.filter { name in
                let alive = core.instance(named: name)?.state.isActive ?? false
                let stopping: Bool
                if case .stopping(_, _, _, .stop, _)? = core.instance(named: name)?.state { stopping = true } else { stopping = false }
                switch method {
                case .start: return !alive
                case .stop: return alive && !stopping
                default: return true
                }
            }
            guard !acting.isEmpty else {
                let what = method == .start ? "already running" : "already stopped"
                let shown = names.isEmpty ? params.names ?? [] : names
                return ResultBody(message: "\(shown.joined(separator: ", ")): \(what)", affected: [])
            }
            let request: OrchCore.Request = method == .start ? .start(acting) : method == .stop ? .stop(acting) : .restart(acting)
            host.submit(request)
            return ResultBody(message: "\(method.rawValue) \(acting.joined(separator: ", "))", affected: acting)
        case .signal:
            let names = try resolveTargets(params.names, bringingIn: false)
            guard let text = params.signal, let signal = SignalName.number(text) else {
                throw RPCError(code: RPCError.invalidParams, message: "unknown signal '\(Limits.excerpt(params.signal ?? ""))' (e.g. TERM, HUP, USR1, 9)")
            }
            let running = names.filter { core.instance(named: $0)?.state.pid != nil }
            guard !running.isEmpty else {
                let shown = names.isEmpty ? params.names ?? [] : names
                throw RPCError(code: RPCError.failed, message: "\(shown.joined(separator: ", ")) \(shown.count == 1 ? "is" : "are") not running: no signal sent")
            }
            host.submit(.signal(running, signal: signal))
            return ResultBody(message: "sent SIG\(SignalName.name(signal)) to \(running.joined(separator: ", "))", affected: running)
        case .scale:
            guard let name = params.names?.first, params.names?.count == 1, let count = params.count else {
                throw RPCError(code: RPCError.invalidParams, message: "scale needs one process name and a count, e.g. web=3")
            }
            guard (0...Formation.maxReplicas).contains(count) else {
                throw RPCError(code: RPCError.invalidParams, message: "count must be between 0 and \(Formation.maxReplicas)")
            }
            guard core.project.process(named: name) != nil else { throw unknownProcess(name) }
            host.submit(.scale(process: name, count: count))
            return ResultBody(message: "\(name) scaled to \(count)", affected: core.resolve(name) ?? [])
        case .logs:
            // Reading never changes state: a process that is not running has no lines.
            let names = try params.names.map { try resolveTargets($0, bringingIn: false) } ?? core.instances.map(\.name)
            let count = max(0, params.lines ?? 100)
            // Bounded by bytes too, so the answer fits what a client may have pending:
            // each instance gets an equal share, newest lines first.
            let share = max(ControlServer.logsReplyBytes / max(names.count, 1), 4096)
            var lines: [LogLine] = []
            var total = 0
            for name in names where total < ControlServer.logsReplyBytes {
                var kept: [String] = []
                var used = 0
                for line in host.logTail(of: name, lines: count).reversed() {
                    used += line.utf8.count + 1
                    if used > share { break }
                    kept.append(line)
                }
                total += used
                for line in kept.reversed() { lines.append(LogLine(process: name, line: line)) }
            }
            if params.follow == true {
                // By the names asked for too, so a process started later is followed.
                connection.followLogs = Set(names + (params.names ?? []))
                if params.names == nil { connection.followLogs = [] }  // empty = every instance, current and future
                updateLogFollowers()
            }
            return ResultBody(lines: lines)
        case .events:
            connection.followEvents = true
            return ResultBody(message: "following events")
        case .reload:
            switch host.reloadConfig(announce: { _ in }) {
            case let .applied(report):
                return ResultBody(message: "reloaded", reload: report)
            case let .failed(error):
                throw RPCError(code: RPCError.failed, message: "reload failed, nothing changed: \(error)")
            case .unavailable:
                throw RPCError(code: RPCError.failed, message: "reload is not available")
            }
        case .shutdown:
            return ResultBody(message: "stopping")
        }
    }

    private func unknownProcess(_ name: String) -> RPCError {
        var text = "unknown process '\(name)'"
        // Bounded work: a typo is short and about as long as what it misspells.
        if name.count <= 64 {
            let length = name.count
            let candidates = core.knownNames.lazy.filter { abs($0.count - length) <= 3 }.prefix(10_000)
            if let suggestion = Suggestion.nearest(to: name, in: Array(candidates)) { text += " (did you mean '\(suggestion)'?)" }
        }
        return RPCError(code: RPCError.unknownProcess, message: text)
    }

    /// The instances `names` stand for. With `bringingIn`, a process that was not
    /// started (`orch up NAMES`, scaled to 0) is scaled up so that there is something
    /// to act on: for start, stop, restart and signal, never for reading.
    private func resolveTargets(_ names: [String]?, bringingIn: Bool = true) throws -> [String] {
        guard let names, !names.isEmpty else {
            throw RPCError(code: RPCError.invalidParams, message: "name a process, an instance (web.2) or all")
        }
        var result: [String] = []
        for name in names {
            guard let resolved = core.resolve(name) else { throw unknownProcess(name) }
            if resolved.isEmpty, bringingIn, let process = core.spec(named: name) {
                // A process not started by `orch up NAMES`: bring in its replicas.
                host.submit(.scale(process: name, count: max(process.replicas, 1)))
                result += core.resolve(name) ?? []
            } else {
                result += resolved
            }
        }
        // `web web.1 web`: each instance once, however often it was named.
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    private func statusRows() -> [ProcessStatus] {
        let now = Instant(nanoseconds: Clock.monotonicNanoseconds())
        let ticks = Double(Processes.clockTicksPerSecond)
        let page = Processes.pageSize
        // In config order, replicas together (scaled ones are appended to the core's list).
        let order = Dictionary(uniqueKeysWithValues: core.project.processes.enumerated().map { ($0.element.name, $0.offset) })
        let records = core.instances.enumerated().sorted { a, b in
            let (pa, pb) = (order[a.element.process] ?? .max, order[b.element.process] ?? .max)
            return pa != pb ? pa < pb : a.element.spec.replica < b.element.spec.replica
        }.map(\.element)
        // Each instance is its own process group: count every member, not just the leader.
        let usage = Processes.usage(ofGroups: Set(records.compactMap { record -> Int32? in
            if case let .running(pid, _, _) = record.state { return pid }
            return nil
        }))
        return records.map { record in
            let spec = core.processSpec(of: record)
            var uptime: Double?
            var cpu: Double?
            var memory: Int?
            if case let .running(pid, since, _) = record.state {
                uptime = Double((now - since).nanoseconds) / 1e9
                if let group = usage[pid] {
                    cpu = Double(group.cpuTicks) / ticks
                    memory = group.residentPages * page
                }
            }
            return ProcessStatus(
                name: record.name, process: record.process, kind: spec?.kind.rawValue ?? "service", state: stateName(record),
                pid: record.state.pid, uptimeSeconds: uptime, restarts: record.restarts, lastExit: record.lastExit?.description,
                ready: record.ready, port: record.spec.environment["PORT"], cpuSeconds: cpu, memoryBytes: memory)
        }
    }

    private func stateName(_ record: InstanceRecord) -> String {
        switch record.state {
        case .waiting: return "waiting"
        case .waitingForPort: return "waiting"
        case .starting: return "starting"
        case .running: return "running"
        case .stopping: return "stopping"
        case .backoff: return "backoff"
        case .ended(.exited): return "exited"
        case .ended(.stopped): return "stopped"
        case .ended(.failed), .ended(.notReady): return "failed"
        }
    }

    // MARK: - Streams

    /// Recomputes which instances need per-line framing for followers.
    func updateLogFollowers() {
        var all = false
        var names = Set<String>()
        for connection in connections.values {
            guard let follow = connection.followLogs else { continue }
            if follow.isEmpty { all = true } else { names.formUnion(follow) }
        }
        host.followersChanged(all: all, names: names)
    }

    func publish(line: ArraySlice<UInt8>, instance: String) {
        var note: [UInt8]?
        for connection in connections.values {
            guard let follow = connection.followLogs, follow.isEmpty || follow.contains(instance) else { continue }
            if note == nil {
                note = Wire.encode(Response(id: nil, method: "log", log: LogLine(process: instance, line: String(decoding: line, as: UTF8.self))))
            }
            send(encoded: note ?? [], to: connection)
        }
    }

    func publish(_ event: SupervisorEvent, time: () -> String) {
        guard connections.values.contains(where: \.followEvents) else { return }
        let note = Wire.encode(Response(id: nil, method: "event", event: EventNote(ts: time(), event: event.text, kind: event.kind, instance: event.subject)))
        for connection in connections.values where connection.followEvents {
            send(encoded: note, to: connection)
        }
    }
}

/// Just enough of a request to answer a malformed one with its id.
struct RequestShape: Decodable {
    var id: Int?
    var method: String
}

/// Compares without an early exit, so the time taken says nothing about the token.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count, !b.isEmpty else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}

