import OrchConfig
import OrchCore
import OrchLimits
import OrchSystem

/// One child's output pipe and its partial line.
final class ChildOutput {
    /// nil once the pipe is closed.
    var fd: FileDescriptor?
    let pid: Int32
    let instance: String
    let process: String
    var framer = LineFramer(maxLine: Limits.outputLineBytes)
    var registration: UInt64 = 0
    /// The text of a `ready: {log}` check not yet seen.
    var awaitingLog: [UInt8]?
    /// `log: {file}`: where its lines also go.
    var logFile: LogFileWriter?

    init(fd: consuming FileDescriptor, pid: Int32, instance: String, process: String, awaitingLog: [UInt8]?) {
        self.fd = consume fd
        self.pid = pid
        self.instance = instance
        self.process = process
        self.awaitingLog = awaitingLog
    }
}

/// Children's output to orch's stdout: framing into whole lines with `name | `
/// prefixes (or JSON), back-pressure (children are no longer read while stdout is
/// behind, so they block in write(2) and nothing is lost), `log: {file}` writers,
/// the per-instance rings `orch ctl logs` reads, and the lines followers receive.
final class LogMultiplexer {
    let style: OutputStyle
    private let loop: EventLoop
    private let output: OutputSink
    private var prefixes: Prefixes
    /// Output pipes by instance leader pid.
    private var outputs: [Int32: ChildOutput] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 256 << 10)
    private var readingPaused = false
    /// Set while orch waits for its stdout to take more.
    private var stdoutRegistration: UInt64?
    private var logFiles: [String: LogFileWriter] = [:]
    /// Keep each instance's tail (when a control port can ask for it, or for `orch run`'s reports).
    var keepsRings = false
    private var rings: [String: LogRing] = [:]
    private var followAll = false
    private var followed = Set<String>()

    /// A `ready: {log}` text was seen: (instance, leader pid).
    var onLogMatched: (String, Int32) -> Void = { _, _ in }
    /// A line of a followed instance, for `orch ctl logs --follow`.
    var onFollowedLine: (ArraySlice<UInt8>, String) -> Void = { _, _ in }
    /// orch's stdout went away (EPIPE) or failed.
    var onOutputClosed: () -> Void = {}
    /// stdout failed with an error (not EPIPE: a full disk, a closed stdout), which
    /// was said on stderr; orch exits non-zero.
    private(set) var outputFailed = false

    /// `toStderr`: orch's lines go to stderr, written blocking, for `orch run -- CMD`
    /// whose command owns stdout and shares the open files.
    init(loop: EventLoop, style: OutputStyle, names: [String], processOrder: [String], toStderr: Bool = false) {
        self.loop = loop
        self.style = style
        output = toStderr ? OutputSink(fd: 2, blocking: true) : OutputSink()
        prefixes = Prefixes(names: names, processOrder: processOrder, style: style)
    }

    /// Widens the name column for instances added by scale or reload.
    func include(_ names: [String]) { prefixes.include(names) }

    /// Which instances followers want line by line; empty `names` with `all` false = none.
    func follow(all: Bool, names: Set<String>) {
        followAll = all
        followed = names
    }

    /// The last `count` complete lines an instance printed.
    func tail(of instance: String, lines count: Int) -> [String] {
        rings[instance]?.tail(count) ?? []
    }

    // MARK: - orch's own lines

    /// An event of orch's own, under the name `orch`; `time` is its ISO 8601 stamp
    /// (computed once for every destination, only when one needs it).
    func message(_ event: SupervisorEvent, time: @autoclosure () -> String) {
        if style.json {
            output.append(JSONLine.event(event, time: time()))
        } else {
            let prefix = prefixes.prefix(for: "orch", process: "orch")
            output.append((style.timestamps ? Array((WallClock.localTime() + " ").utf8) : []) + prefix + Array(event.text.utf8) + [0x0A])
        }
    }

    /// A line of orch's own that is not a supervisor event.
    func message(_ text: String) {
        message(.note(text), time: WallClock.iso8601())
    }

    // MARK: - Children

    /// Starts reading a freshly spawned instance's output.
    func attach(_ fd: consuming FileDescriptor, pid: Int32, spec: InstanceSpec) {
        var awaitingLog: [UInt8]?
        if case let .log(text)? = spec.ready?.check { awaitingLog = Array(text.utf8) }
        let raw = fd.raw
        let child = ChildOutput(fd: fd, pid: pid, instance: spec.name, process: spec.process, awaitingLog: awaitingLog)
        if let log = spec.log { child.logFile = logFile(for: log, instance: spec.name) }
        do {
            child.registration = try loop.register(raw, events: readingPaused ? 0 : Epoll.readable, as: .childOutput(pid: pid))
        } catch {
            child.fd = nil
        }
        outputs[pid] = child
    }

    /// The pipe of `pid` is readable.
    func readable(pid: Int32) {
        guard let child = outputs[pid] else { return }
        read(child, untilDrained: false)
    }

    /// Reads what a leader that just exited left in its pipe.
    func drain(pid: Int32) {
        guard let child = outputs[pid] else { return }
        read(child, untilDrained: true)
    }

    /// The group of `pid` is gone: read the rest, flush its last partial line, close.
    func close(pid: Int32) {
        guard let child = outputs.removeValue(forKey: pid) else { return }
        read(child, untilDrained: true)
        flushPartial(child)
        unregister(child)
    }

    private func read(_ child: ChildOutput, untilDrained: Bool) {
        guard let fd = child.fd?.raw else { return }
        let prefix = linePrefix(for: child)
        var rounds = 0
        // Draining is bounded too: a grandchild may keep the pipe open and busy.
        while rounds < (untilDrained ? 64 : 4) {
            rounds += 1
            let result: Descriptor.ReadResult
            do { result = try Descriptor.read(fd, into: &readBuffer) } catch { result = .endOfFile }
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

    private func frame(_ child: ChildOutput, count: Int, prefix: [UInt8]) {
        if keepsRings { rings[child.instance, default: LogRing()].append(readBuffer[..<count]) }
        let followed = followAll || (!self.followed.isEmpty && self.followed.contains(child.instance))
        guard style.json || followed || child.logFile != nil || child.awaitingLog != nil else {
            // The hot path: whole lines straight into the output buffer.
            output.withBuffer { child.framer.frame(readBuffer, count: count, prefix: prefix, into: &$0) }
            return
        }
        var lines: [ArraySlice<UInt8>] = []
        if style.json {
            var unused: [UInt8] = []
            child.framer.frame(readBuffer, count: count, prefix: [], into: &unused) { lines.append($0) }
            for line in lines { output.append(JSONLine.line(process: child.instance, bytes: line)) }
        } else {
            output.withBuffer { child.framer.frame(readBuffer, count: count, prefix: prefix, into: &$0) { lines.append($0) } }
        }
        deliver(lines, from: child, followed: followed)
    }

    /// `web | `, after the time of reading when --timestamps is on.
    private func linePrefix(for child: ChildOutput) -> [UInt8] {
        let name = prefixes.prefix(for: child.instance, process: child.process)
        return style.timestamps ? Array((WallClock.localTime() + " ").utf8) + name : name
    }

    /// Lines for log probes, followers and log files (the slow path).
    private func deliver(_ lines: [ArraySlice<UInt8>], from child: ChildOutput, followed: Bool) {
        for line in lines {
            if let needle = child.awaitingLog, contains(line, needle) {
                child.awaitingLog = nil
                onLogMatched(child.instance, child.pid)
            }
            if followed { onFollowedLine(line, child.instance) }
        }
        if let file = child.logFile, let problem = file.write(lines) { message("\(child.process): \(problem)") }
    }

    /// The partial last line of a child that is gone, to every destination.
    private func flushPartial(_ child: ChildOutput) {
        var lines: [ArraySlice<UInt8>] = []
        if style.json {
            var unused: [UInt8] = []
            child.framer.flush(prefix: [], into: &unused) { lines.append($0) }
            for line in lines { output.append(JSONLine.line(process: child.instance, bytes: line)) }
        } else {
            let prefix = linePrefix(for: child)
            output.withBuffer { child.framer.flush(prefix: prefix, into: &$0) { lines.append($0) } }
        }
        if !lines.isEmpty {
            deliver(lines, from: child, followed: followAll || followed.contains(child.instance))
        }
    }

    /// One writer per log file path, shared by replicas.
    private func logFile(for spec: LogFileSpec, instance: String) -> LogFileWriter? {
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

    private func unregister(_ child: ChildOutput) {
        guard let fd = child.fd?.raw else { return }
        loop.unregister(fd, child.registration)
        child.fd = nil
    }

    // MARK: - orch's stdout

    /// Writes what stdout takes now; on a full pipe waits for it to drain and stops
    /// reading children meanwhile.
    func flush() {
        switch output.flush() {
        case .done:
            if let id = stdoutRegistration {
                loop.unregister(output.fd, id)
                stdoutRegistration = nil
            }
            if readingPaused { resumeReading() }
        case .blocked:
            if stdoutRegistration == nil {
                stdoutRegistration = try? loop.register(output.fd, events: Epoll.writable, as: .stdoutWritable)
            }
            if output.isFull { pauseReading() }
        case .brokenPipe:
            if let failure = output.failure, !outputFailed {
                // stdout is gone for good; stderr may still reach the user.
                outputFailed = true
                let why = failure.errno == EBADF_
                    ? "stdout is closed (give orch one, e.g. >/dev/null to discard the output)"
                    : "cannot write to stdout: \(failure.reason)"
                Descriptor.writeAll(2, Array("orch: \(why); stopping every process\n".utf8))
            }
            if readingPaused { resumeReading() }
            onOutputClosed()
        }
    }

    /// At exit: everything written, stdout's flags as they were.
    func finish() {
        output.drainBlocking()
        output.restore()
    }

    /// orch's stdout is behind: stop reading children so they block in write(2).
    private func pauseReading() {
        guard !readingPaused else { return }
        readingPaused = true
        for child in outputs.values {
            if let fd = child.fd?.raw { loop.modify(fd, events: 0, id: child.registration) }
        }
    }

    private func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        for child in outputs.values {
            if let fd = child.fd?.raw { loop.modify(fd, events: Epoll.readable, id: child.registration) }
        }
    }
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
