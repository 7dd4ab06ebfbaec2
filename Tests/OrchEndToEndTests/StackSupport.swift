import Foundation
import Testing

/// A project directory with a private state directory and the orch running in it,
/// for Swift Testing suites. `cleanup()` ends orch and every recorded child by pid.
final class Stack {
    let project: Project
    private(set) var orch: Running?
    private var others: [Running] = []

    init() throws {
        project = try Project()
        try FileManager.default.createDirectory(atPath: project.path + "/run", withIntermediateDirectories: true)
    }

    /// A private state directory, so `orch ctl` finds only this orch.
    var env: [String: String] { ["XDG_RUNTIME_DIR": project.path + "/run"] }

    /// Starts `orch ARGUMENTS` and waits until every name in `started` has started
    /// and the state file exists.
    @discardableResult
    func up(_ arguments: [String], started: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> Running {
        let run = try Running(arguments, in: project.path, environment: env)
        orch = run
        let control = !arguments.contains("--no-control")
        let ok = eventually(timeout: 30) {
            started.allSatisfy { run.stdout.contains("\($0) started (pid") } && (!control || self.stateFileExists)
        }
        #expect(ok, "timed out waiting for \(started) to start\n\(run.stdout.suffix(3000))\n\(run.stderr.suffix(2000))", sourceLocation: sourceLocation)
        return run
    }

    /// Starts another program (a port holder, a follower) that `cleanup()` ends.
    func start(_ executable: String, _ arguments: [String]) throws -> Running {
        let run = try Running(arguments, in: project.path, environment: env, executable: executable)
        others.append(run)
        return run
    }

    var stateFileExists: Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: project.path + "/run/orch")) ?? []
        return names.contains { $0.hasSuffix(".json") }
    }

    /// `orch ctl ARGUMENTS` to completion; code nil when it did not end in time.
    func ctl(_ arguments: [String], timeout: TimeInterval = 20) throws -> (code: Int32?, out: String, err: String) {
        try run(["ctl"] + arguments, timeout: timeout)
    }

    /// `orch ARGUMENTS` to completion; code nil when it did not end in time.
    func run(_ arguments: [String], timeout: TimeInterval = 30) throws -> (code: Int32?, out: String, err: String) {
        let run = try Running(arguments, in: project.path, environment: env)
        let code = exitCode(of: run, timeout: timeout)
        return (code, run.stdout, run.stderr)
    }

    func cleanup() {
        for run in [orch].compactMap({ $0 }) + others { run.ensureStopped() }
        for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
        project.cleanup()
    }
}

/// Waits for a program to end and returns its exit code (128+N for a signal), or
/// kills it and returns nil when it has not ended within `timeout`.
func exitCode(of run: Running, timeout: TimeInterval) -> Int32? {
    guard eventually(timeout: timeout, { !run.process.isRunning }) else {
        run.ensureStopped()
        return nil
    }
    return run.waitForExit(timeout: 10)
}

/// The lines of `text` that contain `fragment`, in order, as their indices.
func index(of fragment: String, in lines: [String]) -> Int? {
    lines.firstIndex { $0.contains(fragment) }
}
