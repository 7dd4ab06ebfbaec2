import Foundation
import Testing

/// Every end-to-end suite is nested here: they run one at a time, as the machine
/// they start real processes on is small and shared.
@Suite(.serialized) enum EndToEnd {}

/// The built `orch` binary, next to this test bundle (ORCH_TEST_BINARY overrides it,
/// e.g. to run the suite against an older build).
func orchBinary() -> String {
    if let path = ProcessInfo.processInfo.environment["ORCH_TEST_BINARY"], !path.isEmpty { return path }
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("orch").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/orch").standardized.path
}

/// A temporary project directory, removed with everything in it by `cleanup()`.
final class Project {
    let url: URL
    var path: String { url.path }

    init(_ files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("orch-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    /// Writes a file in place (no temporary file beside it, which a watcher would see).
    func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: false, encoding: .utf8)
    }

    func read(_ name: String) -> String? {
        try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
    }

    /// Pids that children wrote into `*.pid` files.
    func recordedPids() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".pid") }.compactMap { read($0).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
    }

    func cleanup() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A running `orch` (or shell pipeline) whose output is collected in the background.
final class Running: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()
    private let group = DispatchGroup()

    init(_ arguments: [String], in directory: String, environment: [String: String] = [:], executable: String = orchBinary()) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        // A child inherits the spawning thread's signal mask, and Swift Testing runs
        // tests on worker threads that block signals: spawn with none blocked, so a
        // SIGTERM the test sends is not held pending forever.
        var none = sigset_t()
        var saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try process.run()
        collect(out.fileHandleForReading, stdout: true)
        collect(err.fileHandleForReading, stdout: false)
    }

    private func collect(_ handle: FileHandle, stdout: Bool) {
        group.enter()
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                if stdout { stdoutData.append(chunk) } else { stderrData.append(chunk) }
                lock.unlock()
            }
            group.leave()
        }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: stdoutData, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: stderrData, as: UTF8.self) }
    var stdoutBytes: Data { lock.lock(); defer { lock.unlock() }; return stdoutData }
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }

    func signal(_ signo: Int32) { kill(pid, signo) }

    /// Polls `condition` until it holds or the deadline passes.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation, _ condition: (Running) -> Bool) -> Bool {
        if eventually(timeout: timeout, { condition(self) }) { return true }
        Issue.record("timed out waiting for \(what)\n--- stdout:\n\(stdout.suffix(3000))\n--- stderr:\n\(stderr.suffix(2000))", sourceLocation: sourceLocation)
        return false
    }

    func waitForLine(containing text: String, timeout: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        waitFor("a line containing '\(text)'", timeout: timeout, sourceLocation: sourceLocation) { $0.stdout.contains(text) }
    }

    /// Waits for orch to exit and its output to be fully read; returns the exit code
    /// (128+N for a signal death), or nil after killing it on timeout.
    func waitForExit(timeout: TimeInterval = 30, sourceLocation: SourceLocation = #_sourceLocation) -> Int32? {
        if !eventually(timeout: timeout, { !process.isRunning }) {
            Issue.record("orch did not exit within \(timeout)s\n--- stdout:\n\(stdout.suffix(3000))\n--- stderr:\n\(stderr.suffix(2000))", sourceLocation: sourceLocation)
            kill(pid, SIGKILL)
            process.waitUntilExit()
            _ = group.wait(timeout: .now() + 5)
            return nil
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 10)
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Makes sure orch is gone at the end of a test whatever happened.
    func ensureStopped() {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Polls `condition` every 10 ms until true or `timeout` seconds pass.
func eventually(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)  // poll interval, not a fixed wait
    }
    return condition()
}

/// True when the pid exists and is not a zombie (`kill(pid, 0)` succeeds on zombies).
/// Every process below `pid` (by parent pid in /proc), at the moment of the call.
func descendants(of pid: Int32) -> [Int32] {
    var children: [Int32: [Int32]] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let child = Int32(name),
              let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(child) }
    }
    var result: [Int32] = []
    var pending = [pid]
    while let next = pending.popLast() {
        for child in children[next] ?? [] { result.append(child); pending.append(child) }
    }
    return result
}

func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

/// Asserts none of the pids is alive (waiting briefly for the kernel to finish reaping),
/// and kills any survivor so the machine stays clean.
func assertAllGone(_ pids: [Int32], sourceLocation: SourceLocation = #_sourceLocation) {
    let survivors = { pids.filter(isAlive) }
    if !eventually(timeout: 5, { survivors().isEmpty }) {
        let left = survivors()
        Issue.record("processes survived orch: \(left)", sourceLocation: sourceLocation)
        for pid in left { kill(pid, SIGKILL) }
    }
}

/// Runs a command to completion and returns (code, stdout, stderr).
func runToEnd(_ arguments: [String], in directory: String, environment: [String: String] = [:], timeout: TimeInterval = 30, sourceLocation: SourceLocation = #_sourceLocation) throws -> (code: Int32?, out: String, err: String) {
    let run = try Running(arguments, in: directory, environment: environment)
    defer { run.ensureStopped() }
    let code = run.waitForExit(timeout: timeout, sourceLocation: sourceLocation)
    return (code, run.stdout, run.stderr)
}

/// A test with its own project directory, removed afterwards; any process a child
/// recorded in a `*.pid` file that is still alive is killed by pid. Swift Testing
/// makes a new instance per test: `init` sets up, `deinit` cleans up.
class ProjectTestCase {
    let project: Project

    /// A private state directory, so each test's `orch ctl` finds only its own orch.
    var env: [String: String] { ["XDG_RUNTIME_DIR": project.path + "/run"] }

    init() throws {
        project = try Project()
        try FileManager.default.createDirectory(atPath: project.path + "/run", withIntermediateDirectories: true)
    }

    deinit {
        for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
        project.cleanup()
    }
}

/// A loopback TCP port the kernel chose (bind(2) to port 0, read back with
/// getsockname(2)), held bound but not listening: a connect(2) to it is refused, and
/// nothing else can bind it until `close()`. Tests take their ports from here, never
/// a fixed number: on a shared machine any fixed port may be someone else's.
final class ReservedPort {
    let fd: Int32
    let port: UInt16

    /// `ipv6`: on ::1 instead of 127.0.0.1 (the two are separate ports).
    init(ipv6: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let family = ipv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0, "socket: \(String(cString: strerror(errno)))", sourceLocation: sourceLocation)
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_family = sa_family_t(AF_INET6)
                    $0.pointee.sin6_addr = in6addr_loopback
                }
            }
        } else {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    $0.pointee.sin_family = sa_family_t(AF_INET)
                    $0.pointee.sin_addr.s_addr = inet_addr("127.0.0.1")
                }
            }
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let named = bound == 0 ? withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        } : -1
        if named != 0 {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            try #require(Bool(false), "bind to \(ipv6 ? "[::1]" : "127.0.0.1"):0: \(reason)", sourceLocation: sourceLocation)
        }
        self.fd = fd
        // sin_port and sin6_port sit at the same offset, right after the family.
        port = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    func close() { Glibc.close(fd) }
}

/// A loopback port the kernel chose a moment ago and that is free again, for a child
/// (or orch) to bind. `headroom`: orch gives the i-th process base + 100·i, so a
/// base port needs `100·i` more ports above it below 65536.
func freePort(ipv6: Bool = false, headroom: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt16 {
    for _ in 0..<50 {
        let reserved = try ReservedPort(ipv6: ipv6, sourceLocation: sourceLocation)
        reserved.close()
        if Int(reserved.port) + headroom <= 65535 { return reserved.port }
    }
    try #require(Bool(false), "the kernel gave no port with \(headroom) ports above it", sourceLocation: sourceLocation)
    return 0
}
