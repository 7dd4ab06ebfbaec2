import OrchConfig
import OrchCore
import OrchSystem

/// One readiness check in flight.
final class ProbeRun {
    let id: UInt64
    let instance: String
    let pid: Int32
    let deadline: Int64
    /// The socket of a tcp or http check.
    var socket: FileDescriptor?
    var registration: UInt64 = 0
    var connected = false
    var request: [UInt8]?
    var response: [UInt8] = []
    /// The shell of an exec check.
    var checkPid: Int32?
    /// A look at whether a port is taken before a start, not a readiness check.
    var portCheck = false

    init(id: UInt64, instance: String, pid: Int32, deadline: Int64) {
        self.id = id
        self.instance = instance
        self.pid = pid
        self.deadline = deadline
    }
}

/// Readiness checks (`ready: {tcp, http, exec}`), each bounded by its timeout and
/// never blocking the loop: sockets connect non-blocking (`connect(2)` EINPROGRESS,
/// then EPOLLOUT), exec checks are reaped like any child. Results go to `onFinished`.
final class ProbeRunner {
    private let loop: EventLoop
    private let children: ChildTable
    private var runs: [UInt64: ProbeRun] = [:]
    private var byCheckPid: [Int32: ProbeRun] = [:]
    private var nextID: UInt64 = 1

    /// (instance, leader pid, passed, detail)
    var onFinished: (String, Int32, Bool, String) -> Void = { _, _, _, _ in }
    /// (instance, busy): the answer to `checkPort`.
    var onPortChecked: (String, Bool) -> Void = { _, _ in }

    /// How long a look at a port may take. No answer by then counts as taken: a
    /// listener whose queue is full drops the handshake, and it still holds the port.
    static let portCheckTimeout: Duration = .seconds(1)

    init(loop: EventLoop, children: ChildTable) {
        self.loop = loop
        self.children = children
    }

    /// The earliest check timeout, for the loop's timer.
    var nextDeadline: Int64? { runs.values.map(\.deadline).min() }

    /// True for the pid of a running exec check (not an orphan).
    func isCheck(_ pid: Int32) -> Bool { byCheckPid[pid] != nil }

    func start(instance: String, pid: Int32, check: ProbeCheck, timeout: Duration, environment: [String: String], cwd: String) {
        let deadline = (Instant(nanoseconds: Clock.monotonicNanoseconds()) + timeout).nanoseconds
        let run = ProbeRun(id: nextID, instance: instance, pid: pid, deadline: deadline)
        nextID += 1
        switch check {
        case let .tcp(host, portText):
            guard let port = UInt16(portText) else {
                onFinished(instance, pid, false, "'\(portText)' is not a port")
                return
            }
            connect(run, host: host, port: port)
        case let .http(url):
            guard let target = HTTPTarget(url) else {
                onFinished(instance, pid, false, "'\(url)' is not an http:// URL")
                return
            }
            run.request = Array("GET \(target.path) HTTP/1.0\r\nHost: \(target.host):\(target.port)\r\nConnection: close\r\n\r\n".utf8)
            connect(run, host: target.host, port: target.port)
        case let .exec(command):
            do {
                let checkPid = try children.spawnCheck(command, environment: environment, cwd: cwd)
                run.checkPid = checkPid
                byCheckPid[checkPid] = run
                runs[run.id] = run
            } catch {
                onFinished(instance, pid, false, "\(error)")
            }
        case .log:
            break
        }
    }

    /// Looks, without blocking, whether something accepts connections on host:port.
    func checkPort(instance: String, host: String, port: UInt16) {
        let deadline = (Instant(nanoseconds: Clock.monotonicNanoseconds()) + ProbeRunner.portCheckTimeout).nanoseconds
        let run = ProbeRun(id: nextID, instance: instance, pid: 0, deadline: deadline)
        nextID += 1
        run.portCheck = true
        connect(run, host: host, port: port)
    }

    private func connect(_ run: ProbeRun, host: String, port: UInt16) {
        do {
            let socket = FileDescriptor(owning: try Socket.connect(host: host, port: port))
            let raw = socket.raw
            run.socket = consume socket
            run.registration = try loop.register(raw, events: Epoll.writable, as: .probe(run.id))
            runs[run.id] = run
        } catch {
            run.socket = nil
            report(run, passed: false, detail: "\(error)")
        }
    }

    /// The socket of check `id` is ready.
    func advance(_ id: UInt64, events: UInt32) {
        guard let run = runs[id], let fd = run.socket?.raw else { return }
        if !run.connected {
            let error = Socket.pendingError(fd)
            guard error == 0 else {
                finish(run, passed: false, detail: "connect: \(SystemError.describe(error))")
                return
            }
            run.connected = true
            guard let request = run.request else {
                finish(run, passed: true, detail: "")
                return
            }
            _ = try? Descriptor.write(fd, request)
            loop.modify(fd, events: Epoll.readable, id: run.registration)
            return
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let result = (try? Descriptor.read(fd, into: &buffer)) ?? .endOfFile
        switch result {
        case let .bytes(n):
            run.response.append(contentsOf: buffer[..<n])
            if let status = HTTPTarget.status(run.response) {
                finish(run, passed: (200..<400).contains(status), detail: "HTTP \(status)")
            }
        case .wouldBlock:
            break
        case .endOfFile:
            let status = HTTPTarget.status(run.response)
            finish(run, passed: status.map { (200..<400).contains($0) } ?? false, detail: status.map { "HTTP \($0)" } ?? "no HTTP response")
        }
    }

    /// An exec check's shell was reaped; false when `pid` was not a check.
    func reaped(_ pid: Int32, _ termination: Termination) -> Bool {
        guard let run = byCheckPid.removeValue(forKey: pid) else { return false }
        finish(run, passed: termination == .exited(0), detail: termination == .exited(0) ? "" : "check exited with \(termination)")
        return true
    }

    /// Fails every check whose timeout has passed.
    func expire(now: Int64) {
        for run in runs.values where run.deadline <= now {
            finish(run, passed: run.portCheck, detail: "timed out")
        }
    }

    private func finish(_ run: ProbeRun, passed: Bool, detail: String) {
        guard runs.removeValue(forKey: run.id) != nil else { return }
        if let fd = run.socket?.raw {
            loop.unregister(fd, run.registration)
            run.socket = nil
        }
        if let checkPid = run.checkPid, byCheckPid.removeValue(forKey: checkPid) != nil {
            // Timed out: the check's whole group goes; its exit is reaped and ignored.
            Processes.signalGroup(checkPid, SIGKILL_)
        }
        report(run, passed: passed, detail: detail)
    }

    private func report(_ run: ProbeRun, passed: Bool, detail: String) {
        if run.portCheck {
            onPortChecked(run.instance, passed)
        } else {
            onFinished(run.instance, run.pid, passed, detail)
        }
    }
}
