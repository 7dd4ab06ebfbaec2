import OrchConfig
import Testing

@testable import OrchCore

/// The leader of `name` exits (its group gone); returns the effects.
@discardableResult
private func leaderExits(_ h: inout Harness, _ name: String, _ termination: Termination) -> [Effect] {
    guard let pid = h.pid(name) else {
        Issue.record("\(name) has no pid")
        return []
    }
    return h.send(.exited(instance: name, pid: pid, termination: termination, groupEmpty: true))
}

/// web ×2 (stops with SIGINT, 3 s), worker (stops with SIGQUIT, 7 s), all running.
private func runningStack() -> Harness {
    var h = Harness([
        proc("web", replicas: 2, stop: StopSpec(signal: 2, timeout: .seconds(3))),
        proc("worker", stop: StopSpec(signal: 3, timeout: .seconds(7))),
    ])
    h.send(.start)
    return h
}

private func project(_ processes: [ProcessSpec]) -> ProjectSpec {
    ProjectSpec(directory: "/p", configFile: "/p/orch.yaml", processes: processes)
}

/// A change to the running stack's config, as a reload would bring it.
private func reloaded(_ change: (inout [ProcessSpec]) -> Void) -> Request {
    var processes = runningStack().core.project.processes
    change(&processes)
    return .reload(project(processes))
}

struct RequestCase: Sendable, CustomTestStringConvertible {
    var label: String
    var request: Request
    /// `instance:signal` sent at once.
    var signals: [String]
    /// Spawned at once.
    var spawned: [String] = []
    /// Spawned once every signalled group is gone.
    var respawned: [String] = []
    /// Instances left afterwards.
    var instances: [String] = ["web.1", "web.2", "worker"]
    var testDescription: String { label }
}

@Suite("Control requests on a running stack")
struct RequestTests {
    static let cases: [RequestCase] = [
        RequestCase(label: "start of a running instance does nothing", request: .start(["worker"]), signals: []),
        RequestCase(label: "stop uses the process's stop signal", request: .stop(["web.1"]), signals: ["web.1:2"]),
        RequestCase(label: "stop of a process stops every replica", request: .stop(["worker"]), signals: ["worker:3"]),
        RequestCase(label: "restart waits for the old groups", request: .restart(["web.1", "web.2"]),
                    signals: ["web.1:2", "web.2:2"], respawned: ["web.1", "web.2"]),
        RequestCase(label: "scale up starts new replicas only", request: .scale(process: "web", count: 3),
                    signals: [], spawned: ["web.3"], instances: ["web.1", "web.2", "worker", "web.3"]),
        RequestCase(label: "scale down stops and drops the last replica", request: .scale(process: "web", count: 1),
                    signals: ["web.2:2"], instances: ["web.1", "worker"]),
        RequestCase(label: "scale to 0 stops every replica", request: .scale(process: "worker", count: 0),
                    signals: ["worker:3"], instances: ["web.1", "web.2"]),
        RequestCase(label: "reload of a changed command restarts that process",
                    request: reloaded { $0[0].command = "run web --new" },
                    signals: ["web.1:2", "web.2:2"], respawned: ["web.1", "web.2"]),
        RequestCase(label: "reload with only replicas changed scales, restarts nothing",
                    request: reloaded { $0[0].replicas = 3 },
                    signals: [], spawned: ["web.3"], instances: ["web.1", "web.2", "worker", "web.3"]),
        RequestCase(label: "reload that moves a definition to another line changes nothing",
                    request: reloaded { $0[1].line = 40 }, signals: []),
        RequestCase(label: "reload stops a removed process with its own stop signal",
                    request: reloaded { $0.removeLast() }, signals: ["worker:3"], instances: ["web.1", "web.2"]),
        RequestCase(label: "reload starts an added process",
                    request: reloaded { $0.append(proc("cron")) },
                    signals: [], spawned: ["cron"], instances: ["web.1", "web.2", "worker", "cron"]),
    ]

    @Test(arguments: cases)
    func request(_ row: RequestCase) {
        var h = runningStack()
        let effects = h.send(.request(row.request))
        #expect(signals(effects) == row.signals)
        #expect(spawned(effects) == row.spawned)
        var respawned: [String] = []
        for signalled in row.signals {
            let name = String(signalled.split(separator: ":")[0])
            respawned += spawned(leaderExits(&h, name, .signaled(15)))
        }
        #expect(respawned == row.respawned)
        #expect(h.core.instances.map(\.name) == row.instances)
        #expect(h.core.exitCode == nil, "a request is not an exit")
    }

    @Test("A removed process is killed after its own stop timeout, not the default")
    func removedProcessKeepsItsStopTimeout() {
        var h = runningStack()
        h.send(.request(reloaded { $0.removeLast() }))
        #expect(h.core.nextDeadline == h.now + .seconds(7))
        let late = h.advance(.seconds(7))
        #expect(messages(late).contains("worker killed after 7s timeout (SIGKILL)"))
        #expect(signals(late) == ["worker:9"])
    }

    @Test("A stop in flight keeps its timeout when a reload changes it")
    func stopInFlightKeepsItsSpec() {
        var h = runningStack()
        h.send(.request(.stop(["worker"])))
        h.send(.request(reloaded { $0[1].stop = StopSpec(signal: 15, timeout: .seconds(60)) }))
        #expect(signals(h.advance(.seconds(7))) == ["worker:9"])
    }

    @Test("Reading a process's state changes nothing: resolve is pure")
    func resolveOfUnstartedProcess() {
        var h = Harness([proc("web"), proc("worker")], selected: ["web"])
        h.send(.start)
        #expect(h.core.resolve("worker") == [])
        #expect(h.core.instance(named: "worker") == nil)
        #expect(h.core.resolve("nope") == nil)
    }
}

@Suite("One diff for reload and its report")
struct ProjectDiffTests {
    @Test func classifiesEveryProcess() {
        let old = project([proc("web"), proc("worker"), proc("clock"), proc("gone")])
        var web = proc("web")
        web.replicas = 3
        var worker = proc("worker")
        worker.command = "run worker --fast"
        var clock = proc("clock")
        clock.line = 12
        let diff = ProjectDiff(from: old, to: project([web, worker, clock, proc("new")]))
        #expect(diff.added == ["new"])
        #expect(diff.removed == ["gone"])
        #expect(diff.changed == ["worker"])
        #expect(diff.scaled.map(\.name) == ["web"])
        #expect(diff.scaled.map(\.to) == [3])
        #expect(diff.unchanged == ["clock"])
    }
}

@Suite("The port wait is part of the lifecycle")
struct PortWaitTests {
    @Test("Shutdown ends a port wait: nothing starts after it")
    func shutdownWinsOverPortWait() {
        var h = Harness([proc("web", ready: .tcp(host: "127.0.0.1", port: "$PORT"))])
        h.busyPorts = [5000]
        let first = h.send(.start)
        #expect(messages(first) == ["web waiting for port 5000 to be free"])
        #expect(spawned(first) == [])
        #expect(h.core.nextDeadline == h.now + .milliseconds(100))
        let stop = h.send(.shutdown(.signal(2)))
        #expect(exitCode(stop) == 0)
        #expect(h.state("web") == .ended(.stopped))
        h.busyPorts = []
        #expect(spawned(h.send(.portChecked(instance: "web", busy: false))) == [])
        #expect(h.core.finished)
    }

    @Test("The wait is announced once and ends when the port is free")
    func waitsUntilFree() {
        var h = Harness([proc("web", ready: .tcp(host: "127.0.0.1", port: "$PORT"))])
        h.busyPorts = [5000]
        h.send(.start)
        #expect(messages(h.advance(.milliseconds(100))) == [])
        h.busyPorts = []
        #expect(spawned(h.advance(.milliseconds(100))) == ["web"])
    }

    @Test("A stop request ends a port wait")
    func stopEndsPortWait() {
        var h = Harness([proc("web", ready: .tcp(host: "127.0.0.1", port: "$PORT")), proc("worker")])
        h.busyPorts = [5000]
        h.send(.start)
        #expect(messages(h.send(.request(.stop(["web"])))) == ["web stopped"])
        h.busyPorts = []
        #expect(spawned(h.advance(.milliseconds(100))) == [])
    }

    @Test(arguments: [
        (ProbeCheck.tcp(host: "127.0.0.1", port: "$PORT"), UInt16(5000) as UInt16?),
        (.tcp(host: "127.0.0.1", port: "6379"), 6379),
        (.http(url: "http://127.0.0.1:$PORT/health"), 5000),
        (.http(url: "http://127.0.0.1:9000/"), nil),
        (.exec(command: "true"), nil),
        (.log(text: "listening"), nil),
    ])
    func guardedPort(check: ProbeCheck, port: UInt16?) {
        let instance = proc("web", ready: check).instance(replica: 0, of: 1)
        #expect(instance.guardedPort?.port == port)
    }

    @Test("A check result for an earlier run is dropped")
    func lateProbeResultIsDropped() {
        var h = Harness([proc("api", restart: .always, ready: .exec(command: "check")), proc("web", deps: [("api", .ready)])])
        h.send(.start)
        let old = h.pid("api")!
        leaderExits(&h, "api", .exited(1))
        _ = h.advance(.seconds(1))
        let late = h.send(.probeFinished(instance: "api", pid: old, passed: true, detail: ""))
        #expect(messages(late).isEmpty)
        #expect(spawned(late).isEmpty)
        #expect(h.core.instance(named: "api")?.ready == false)
    }
}

@Suite("A command that cannot run is not restarted")
struct NotRunnableTests {
    @Test(arguments: [
        (Termination.exited(127), Duration.milliseconds(200), false),
        (.exited(126), .milliseconds(200), false),
        (.exited(127), .seconds(2), true),
        (.exited(1), .milliseconds(200), true),
    ])
    func exitRightAfterStart(termination: Termination, after uptime: Duration, restarts: Bool) {
        var h = Harness([proc("web", restart: .onFailure)])
        h.core = Supervisor(project: project([ProcessSpec(name: "web", command: "bundle exec rails s", cwd: "/p", restart: .onFailure)]), jitter: 0)
        h.send(.start)
        h.now = h.now + uptime
        let effects = leaderExits(&h, "web", termination)
        #expect(messages(effects).contains { $0.hasPrefix("web restarting in") } == restarts)
        if !restarts {
            let what = termination == .exited(126) ? "not executable" : "command not found"
            #expect(messages(effects).contains("web: bundle: \(what) (exit \(termination.code)); not restarting"))
            #expect(exitCode(effects) == termination.code)
        }
    }
}
