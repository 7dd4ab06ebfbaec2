import OrchClient
import OrchConfig
import OrchCore
import OrchProtocol
import OrchSystem

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

    public init(host: String = "127.0.0.1", port: UInt16 = 0, explicitPort: Bool = false, project: String, socket: String? = nil,
                environment: [String: String], reload: @escaping @Sendable () -> Result<ProjectSpec, ConfigError>) {
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

/// One control connection. Reads are bounded by the line limit, writes by
/// `maxPending`: a client that stops reading is dropped, never waited for.
final class ControlConnection {
    var fd: Int32
    var registration: UInt64 = 0
    var input: [UInt8] = []
    var output: [UInt8] = []
    var outputOffset = 0
    var authenticated = false
    var wantsWritable = false
    /// Instances whose lines are streamed (`logs --follow`); nil = not following.
    var followLogs: Set<String>?
    var followEvents = false
    var closeAfterFlush = false
    static let maxPending = 8 << 20

    init(fd: Int32) { self.fd = fd }
}

/// The in-memory tail of each instance's output, for `logs`: a fixed circular byte
/// buffer, so keeping it costs one copy per read and never a shift.
struct LogRing {
    static let capacity = 256 << 10
    private var storage: [UInt8] = []
    /// Next write position once the buffer has wrapped.
    private var head = 0
    private var wrapped = false

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        var chunk = chunk
        if chunk.count >= LogRing.capacity {
            chunk = chunk.suffix(LogRing.capacity)
        }
        if !wrapped {
            let room = LogRing.capacity - storage.count
            if chunk.count <= room {
                storage.append(contentsOf: chunk)
                return
            }
            storage.append(contentsOf: chunk.prefix(room))
            chunk = chunk.dropFirst(room)
            wrapped = true
            head = 0
        }
        while !chunk.isEmpty {
            let piece = min(chunk.count, LogRing.capacity - head)
            storage.replaceSubrange(head..<head + piece, with: chunk.prefix(piece))
            chunk = chunk.dropFirst(piece)
            head = (head + piece) % LogRing.capacity
        }
    }

    /// The bytes in order, oldest first.
    var bytes: [UInt8] { wrapped ? Array(storage[head...] + storage[..<head]) : storage }

    /// The last `count` complete lines (a line cut by the ring's start is dropped).
    func tail(_ count: Int) -> [String] {
        let bytes = self.bytes
        guard count > 0, !bytes.isEmpty else { return [] }
        var lines: [String] = []
        var cursor = bytes.endIndex
        if bytes.last == 0x0A { cursor -= 1 }
        while cursor > bytes.startIndex && lines.count < count {
            guard let newline = bytes[bytes.startIndex..<cursor].lastIndex(of: 0x0A) else {
                if !wrapped { lines.append(String(decoding: bytes[bytes.startIndex..<cursor], as: UTF8.self)) }
                break
            }
            lines.append(String(decoding: bytes[(newline + 1)..<cursor], as: UTF8.self))
            cursor = newline
        }
        return lines.reversed()
    }
}

extension Runtime {
    /// Binds the control port and writes the state file.
    func startControl(_ control: ControlOptions) throws {
        if case let .running(endpoint) = StateFile.lookup(project: control.project, environment: control.environment),
           endpoint.pid != Processes.currentPID {
            if !control.explicitPort { throw AlreadyRunning(endpoint: endpoint) }
            message("another orch serves this project (pid \(endpoint.pid), \(endpoint.address)); `orch ctl` needs --control \(control.host):\(control.port)")
        }
        let (fd, port) = try Socket.listen(host: control.host, port: control.port)
        controlListener = fd
        try register(fd, events: Epoll.readable, as: .controlListener(fd))
        if let path = control.socket {
            let unixFD = try Socket.listenUnix(path: path)
            unixListener = unixFD
            try register(unixFD, events: Epoll.readable, as: .controlListener(unixFD))
        }
        let token = Files.randomBytes(32).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
        controlToken = Array(token.utf8)
        let endpoint = ControlEndpoint(pid: Processes.currentPID, host: control.host, port: Int(port), token: token, project: control.project, socket: control.socket)
        controlEndpoint = endpoint
        if case .running = StateFile.lookup(project: control.project, environment: control.environment) {
            return  // another orch keeps the state file; this one is reached with --control
        }
        stateFilePath = try StateFile.write(endpoint, environment: control.environment)
    }

    func stopControl() {
        if let path = stateFilePath {
            // Only remove our own file.
            if let bytes = Files.read(path), let endpoint = try? Wire.decode(ControlEndpoint.self, from: bytes[...]),
               endpoint.pid == Processes.currentPID {
                Files.remove(path)
            }
            stateFilePath = nil
        }
        for connection in connections.values { closeConnection(connection) }
        if controlListener >= 0 {
            epoll.remove(controlListener)
            Descriptor.close(controlListener)
            controlListener = -1
        }
        if unixListener >= 0 {
            epoll.remove(unixListener)
            Descriptor.close(unixListener)
            unixListener = -1
            if let path = controlOptions?.socket { Files.remove(path) }
        }
    }

    // MARK: - Connections

    func acceptConnections(on listener: Int32) {
        while let fd = Socket.accept(listener) {
            let connection = ControlConnection(fd: fd)
            guard connections.count < 64 else {
                _ = try? Descriptor.write(fd, Wire.encode(Response(id: nil, error: RPCError(code: RPCError.failed, message: "too many control connections (64)"))))
                Descriptor.close(fd)
                continue
            }
            guard let id = try? register(fd, events: Epoll.readable, as: .control(connection)) else {
                Descriptor.close(fd)
                continue
            }
            connection.registration = id
            connections[id] = connection
        }
    }

    func serviceConnection(_ connection: ControlConnection, events: UInt32) {
        if events & Epoll.writable != 0 { flushConnection(connection) }
        guard connection.fd >= 0, events & (Epoll.readable | Epoll.hangup) != 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 16384)
        for _ in 0..<8 {
            let result = (try? Descriptor.read(connection.fd, into: &buffer)) ?? .endOfFile
            switch result {
            case let .bytes(n):
                connection.input.append(contentsOf: buffer[..<n])
                processInput(connection)
                if connection.fd < 0 { return }
            case .wouldBlock:
                return
            case .endOfFile:
                closeConnection(connection)
                return
            }
        }
    }

    private func processInput(_ connection: ControlConnection) {
        while connection.fd >= 0, let newline = connection.input.firstIndex(of: 0x0A) {
            let line = connection.input[..<newline]
            if line.count > ControlProtocol.maxLineBytes {
                reject(connection, id: nil, RPCError(code: RPCError.invalidRequest, message: "request over 1 MiB"))
                return
            }
            let request = Array(line)
            connection.input.removeSubrange(...newline)
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
        connection.closeAfterFlush = true
        flushConnection(connection)
    }

    func send(_ response: Response, to connection: ControlConnection) {
        guard connection.fd >= 0 else { return }
        connection.output.append(contentsOf: Wire.encode(response))
        if connection.output.count - connection.outputOffset > ControlConnection.maxPending {
            // A client that does not read must not make orch buffer without bound.
            closeConnection(connection)
            return
        }
        flushConnection(connection)
    }

    func flushConnection(_ connection: ControlConnection) {
        guard connection.fd >= 0 else { return }
        while connection.outputOffset < connection.output.count {
            let result = (try? Descriptor.write(connection.fd, connection.output, offset: connection.outputOffset)) ?? .brokenPipe
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
                    try? epoll.modify(connection.fd, events: Epoll.readable | Epoll.writable, data: connection.registration)
                }
                return
            case .brokenPipe:
                closeConnection(connection)
                return
            }
        }
        connection.output.removeAll(keepingCapacity: connection.output.capacity < 1 << 20)
        connection.outputOffset = 0
        if connection.wantsWritable {
            connection.wantsWritable = false
            try? epoll.modify(connection.fd, events: Epoll.readable, data: connection.registration)
        }
        if connection.closeAfterFlush { closeConnection(connection) }
    }

    func closeConnection(_ connection: ControlConnection) {
        guard connection.fd >= 0 else { return }
        unregister(connection.fd, connection.registration)
        connections.removeValue(forKey: connection.registration)
        Descriptor.close(connection.fd)
        connection.fd = -1
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
                  constantTimeEqual(Array(token.utf8), controlToken) else {
                reject(connection, id: id, RPCError(code: RPCError.unauthorized, message: "not authenticated: the first request must be auth with the token from the state file"))
                return
            }
            connection.authenticated = true
            send(Response(id: id, result: ResultBody(project: controlEndpoint?.project, pid: Processes.currentPID)), to: connection)
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
            if method == .shutdown { enqueue(.shutdown(.request)) }
        } catch let error as RPCError {
            send(Response(id: id, error: error), to: connection)
        } catch {
            send(Response(id: id, error: RPCError(code: RPCError.failed, message: "\(error)")), to: connection)
        }
    }

    private func perform(_ method: Method, _ params: Params, connection: ControlConnection) throws -> ResultBody {
        switch method {
        case .auth:
            return ResultBody(project: controlEndpoint?.project, pid: Processes.currentPID)
        case .status, .list:
            return ResultBody(project: controlEndpoint?.project, pid: Processes.currentPID, processes: statusRows())
        case .start, .stop, .restart:
            let names = try resolveTargets(params.names)
            // start acts on what is not running, stop on what is: say so when that is nothing.
            let acting = names.filter { name in
                let alive = core.instance(named: name).map { record -> Bool in
                    switch record.state {
                    case .running, .starting, .backoff, .waiting: return true
                    case .stopping, .ended: return false
                    }
                } ?? false
                let stopping: Bool
                if case .stopping(_, _, _, .stop)? = core.instance(named: name)?.state { stopping = true } else { stopping = false }
                switch method {
                case .start: return !alive
                case .stop: return alive && !stopping
                default: return true
                }
            }
            guard !acting.isEmpty else {
                let what = method == .start ? "already running" : "already stopped"
                return ResultBody(message: "\(names.joined(separator: ", ")): \(what)", affected: [])
            }
            let request: OrchCore.Request = method == .start ? .start(acting) : method == .stop ? .stop(acting) : .restart(acting)
            dispatch(.request(request))
            return ResultBody(message: "\(method.rawValue) \(acting.joined(separator: ", "))", affected: acting)
        case .signal:
            let names = try resolveTargets(params.names)
            guard let text = params.signal, let signal = SignalName.number(text) else {
                throw RPCError(code: RPCError.invalidParams, message: "unknown signal '\(params.signal ?? "")' (e.g. TERM, HUP, USR1, 9)")
            }
            let running = names.filter { core.instance(named: $0)?.state.pid != nil }
            guard !running.isEmpty else {
                throw RPCError(code: RPCError.failed, message: "\(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") not running: no signal sent")
            }
            dispatch(.request(.signal(running, signal: signal)))
            return ResultBody(message: "sent SIG\(SignalName.name(signal)) to \(running.joined(separator: ", "))", affected: running)
        case .scale:
            guard let name = params.names?.first, params.names?.count == 1, let count = params.count else {
                throw RPCError(code: RPCError.invalidParams, message: "scale needs one process name and a count, e.g. web=3")
            }
            guard (0...Formation.maxReplicas).contains(count) else {
                throw RPCError(code: RPCError.invalidParams, message: "count must be between 0 and \(Formation.maxReplicas)")
            }
            guard core.project.process(named: name) != nil else { throw unknownProcess(name) }
            dispatch(.request(.scale(process: name, count: count)))
            refreshPrefixes()
            return ResultBody(message: "\(name) scaled to \(count)", affected: core.resolve(name) ?? [])
        case .logs:
            let names = try params.names.map { try resolveTargets($0) } ?? core.instances.map(\.name)
            let count = max(0, params.lines ?? 100)
            var lines: [LogLine] = []
            for name in names {
                for line in logRings[name]?.tail(count) ?? [] { lines.append(LogLine(process: name, line: line)) }
            }
            if params.follow == true {
                connection.followLogs = Set(names.isEmpty ? core.instances.map(\.name) : names)
                if params.names == nil { connection.followLogs = [] }  // empty = every instance, current and future
                updateLogFollowers()
            }
            return ResultBody(lines: lines)
        case .events:
            connection.followEvents = true
            return ResultBody(message: "following events")
        case .reload:
            switch controlOptions?.reload() {
            case let .success(spec)?:
                let report = reloadReport(from: core.project, to: spec)
                dispatch(.request(.reload(spec)))
                refreshPrefixes()
                setUpWatches()
                return ResultBody(message: "reloaded", reload: report)
            case let .failure(error)?:
                throw RPCError(code: RPCError.failed, message: "reload failed, nothing changed: \(error)")
            case nil:
                throw RPCError(code: RPCError.failed, message: "reload is not available")
            }
        case .shutdown:
            return ResultBody(message: "stopping")
        }
    }

    private func unknownProcess(_ name: String) -> RPCError {
        var text = "unknown process '\(name)'"
        if let suggestion = Suggestion.nearest(to: name, in: core.knownNames) { text += " (did you mean '\(suggestion)'?)" }
        return RPCError(code: RPCError.unknownProcess, message: text)
    }

    private func resolveTargets(_ names: [String]?) throws -> [String] {
        guard let names, !names.isEmpty else {
            throw RPCError(code: RPCError.invalidParams, message: "name a process, an instance (web.2) or all")
        }
        var result: [String] = []
        for name in names {
            guard let resolved = core.resolve(name) else { throw unknownProcess(name) }
            if resolved.isEmpty, let process = core.project.process(named: name) {
                // A process not started by `orch up NAMES`: bring in its replicas.
                dispatch(.request(.scale(process: name, count: max(process.replicas, 1))))
                refreshPrefixes()
                result += core.resolve(name) ?? []
            } else {
                result += resolved
            }
        }
        return result
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
        return records.map { record in
            let spec = core.processSpec(of: record)
            var uptime: Double?
            var cpu: Double?
            var memory: Int?
            if case let .running(pid, since) = record.state {
                uptime = Double((now - since).nanoseconds) / 1e9
                if let stat = Processes.stat(of: pid) {
                    cpu = Double(stat.cpuTicks) / ticks
                    memory = stat.residentPages * page
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
        case .starting: return "starting"
        case .running: return "running"
        case .stopping: return "stopping"
        case .backoff: return "backoff"
        case .ended(.exited): return "exited"
        case .ended(.stopped): return "stopped"
        case .ended(.failed): return "failed"
        }
    }

    private func reloadReport(from old: ProjectSpec, to new: ProjectSpec) -> ReloadReport {
        var report = ReloadReport()
        for process in new.processes {
            guard var previous = old.process(named: process.name) else {
                report.started.append(process.name)
                continue
            }
            previous.line = process.line
            if previous == process { report.unchanged.append(process.name) } else { report.restarted.append(process.name) }
        }
        report.stopped = old.processes.map(\.name).filter { new.process(named: $0) == nil }
        return report
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
        followAllLogs = all
        followedInstances = names
    }

    func publish(line: ArraySlice<UInt8>, instance: String) {
        let note = Response(id: nil, method: "log", log: LogLine(process: instance, line: String(decoding: line, as: UTF8.self)))
        for connection in connections.values {
            guard let follow = connection.followLogs, follow.isEmpty || follow.contains(instance) else { continue }
            send(note, to: connection)
        }
    }

    func publish(event text: String) {
        guard connections.values.contains(where: \.followEvents) else { return }
        let note = Response(id: nil, method: "event", event: EventNote(ts: Clock.realtimeNanoseconds() / 1_000_000, message: text))
        for connection in connections.values where connection.followEvents {
            send(note, to: connection)
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

extension Runtime {
    func refreshPrefixes() {
        prefixes.include(core.instances.map(\.name))
    }
}
