import OrchConfig
import Testing

@testable import OrchCore

/// Drives the pure state machine with an injected clock: events in, effects out.
struct Harness {
    var core: Supervisor
    var now = Instant(nanoseconds: 1_000_000_000)
    var nextPid: Int32 = 100
    var log: [Effect] = []
    /// Ports someone else holds: `.checkPort` for them is answered busy.
    var busyPorts: Set<UInt16> = []

    init(_ processes: [ProcessSpec], selected: [String]? = nil, mode: Mode = .up) {
        core = Supervisor(project: ProjectSpec(directory: "/p", configFile: "/p/orch.yaml", processes: processes), selected: selected, mode: mode, jitter: 0)
    }

    /// Sends an event, answers every `.spawn` with `.spawned` (new pid) and every
    /// `.checkPort` by `busyPorts`, returns all effects.
    @discardableResult
    mutating func send(_ event: Event) -> [Effect] {
        var pending = [event]
        var all: [Effect] = []
        while !pending.isEmpty {
            let effects = core.handle(pending.removeFirst(), now: now)
            all += effects
            for effect in effects {
                switch effect {
                case let .spawn(spec):
                    nextPid += 1
                    pending.append(.spawned(instance: spec.name, pid: nextPid))
                case let .checkPort(name, _, port):
                    pending.append(.portChecked(instance: name, busy: busyPorts.contains(port)))
                default:
                    break
                }
            }
        }
        log += all
        return all
    }

    mutating func advance(_ duration: Duration) -> [Effect] {
        now = now + duration
        return send(.tick)
    }

    func pid(_ name: String) -> Int32? { core.instance(named: name)?.state.pid }
    func state(_ name: String) -> InstanceState? { core.instance(named: name)?.state }

    /// The instance's leader exits and its group is gone.
    @discardableResult
    mutating func exit(_ name: String, _ termination: Termination, groupEmpty: Bool = true) -> [Effect] {
        guard let pid = pid(name) else { Issue.record("\(name) has no pid"); return [] }
        return send(.exited(instance: name, pid: pid, termination: termination, groupEmpty: groupEmpty))
    }
}

func spawned(_ effects: [Effect]) -> [String] {
    effects.compactMap { if case let .spawn(spec) = $0 { return spec.name } else { return nil } }
}

func signals(_ effects: [Effect]) -> [String] {
    effects.compactMap { if case let .signalGroup(name, _, signal) = $0 { return "\(name):\(signal)" } else { return nil } }
}

func exitCode(_ effects: [Effect]) -> Int32? {
    effects.compactMap { if case let .exit(code) = $0 { return code } else { return nil } }.first
}

func messages(_ effects: [Effect]) -> [String] {
    effects.compactMap { if case let .event(event) = $0 { return event.text } else { return nil } }
}

func proc(_ name: String, kind: ProcessKind = .service, restart: RestartPolicy = .no, deps: [(String, DependencyCondition)] = [],
          replicas: Int = 1, ready: ProbeCheck? = nil, optional: Bool = false, maxRestarts: Int? = nil,
          backoff: Backoff = Backoff(), stop: StopSpec = StopSpec()) -> ProcessSpec {
    ProcessSpec(
        name: name, command: "run \(name)", cwd: "/p", port: 5000, kind: kind, replicas: replicas, restart: restart,
        backoff: backoff, maxRestarts: maxRestarts, dependsOn: deps.map { Dependency(name: $0.0, condition: $0.1) },
        ready: ready.map { ReadyProbe(check: $0, interval: .milliseconds(100)) }, stop: stop, optional: optional)
}

struct SupervisorTests {
    @Test func startsEveryProcessAndReplicas() {
        var h = Harness([proc("web", replicas: 2), proc("worker")])
        let effects = h.send(.start)
        #expect(spawned(effects) == ["web.1", "web.2", "worker"])
        #expect(messages(effects).contains("web.1 started (pid 101)"))
        #expect(h.core.instance(named: "web.2")?.spec.environment["PORT"] == "5001")
        #expect(h.core.instance(named: "web.2")?.spec.environment["ORCH_PROCESS_NAME"] == "web.2")
    }

    @Test func zeroReplicasStartsNothingOfThatProcess() {
        var h = Harness([proc("web", replicas: 0), proc("worker")])
        #expect(spawned(h.send(.start)) == ["worker"])
    }

    @Test func foremanRuleAnyExitStopsAllWithItsCode() {
        var h = Harness([proc("web"), proc("worker"), proc("clock")])
        h.send(.start)
        let effects = h.exit("worker", .exited(3))
        #expect(messages(effects).first == "worker exited with exit code 3")
        #expect(Set(signals(effects)) == ["web:15", "clock:15"])
        #expect(exitCode(effects) == nil)
        h.exit("web", .signaled(15))
        let last = h.exit("clock", .exited(0))
        #expect(exitCode(last) == 3)
    }

    @Test func signalDeathCountsAs128PlusN() {
        var h = Harness([proc("web"), proc("worker")])
        h.send(.start)
        h.exit("web", .signaled(9))
        #expect(exitCode(h.exit("worker", .signaled(15))) == 137)
    }

    @Test func ctrlCStopsEverythingAndExitsZero() {
        var h = Harness([proc("web"), proc("worker")])
        h.send(.start)
        let effects = h.send(.shutdown(.signal(2)))
        #expect(Set(signals(effects)) == ["web:15", "worker:15"])
        h.exit("web", .signaled(15))
        #expect(exitCode(h.exit("worker", .exited(0))) == 0)
    }

    @Test func runModeSignalExits128PlusSignal() {
        var h = Harness([proc("tests", kind: .job)], mode: .run(targets: []))
        h.send(.start)
        h.send(.shutdown(.signal(15)))
        #expect(exitCode(h.exit("tests", .signaled(15))) == 143)
    }

    @Test func stopTimeoutEscalatesToSigkill() {
        var h = Harness([proc("stubborn", stop: StopSpec(signal: 15, timeout: .seconds(2))), proc("web")])
        h.send(.start)
        h.send(.shutdown(.signal(2)))
        h.exit("web", .exited(0))
        #expect(h.core.nextDeadline == h.now + .seconds(2))
        #expect(signals(h.advance(.seconds(1))) == [])
        let effects = h.advance(.seconds(1))
        #expect(signals(effects) == ["stubborn:9"])
        #expect(messages(effects) == ["stubborn killed after 2s timeout (SIGKILL)"])
        #expect(exitCode(h.exit("stubborn", .signaled(9))) == 0)
    }

    @Test func secondInterruptKillsAtOnce() {
        var h = Harness([proc("web")])
        h.send(.start)
        h.send(.shutdown(.signal(2)))
        let effects = h.send(.killAll)
        #expect(signals(effects) == ["web:9"])
        #expect(effects.contains(.signalOrphans(signal: 9)))
    }

    @Test func leaderExitWithLiveGroupClearsGroupBeforePolicy() {
        var h = Harness([proc("web", restart: .always, backoff: Backoff(initial: .zero))])
        h.send(.start)
        let pid = h.pid("web")!
        let effects = h.exit("web", .exited(1), groupEmpty: false)
        #expect(signals(effects) == ["web:15"])
        #expect(spawned(effects) == [], "must not restart while the old group lives")
        let after = h.send(.groupEmpty(instance: "web", pid: pid))
        #expect(spawned(after) == ["web"])
    }

    @Test func backoffScheduleDoublesAndCaps() {
        let backoff = Backoff(initial: .milliseconds(100), max: .milliseconds(350), factor: 2, resetAfter: .seconds(60))
        var h = Harness([proc("web", restart: .onFailure, backoff: backoff)])
        h.send(.start)
        var delays: [String] = []
        for _ in 0..<4 {
            let effects = h.exit("web", .exited(1))
            delays += messages(effects).filter { $0.contains("restarting") }
            guard case let .backoff(until) = h.state("web")! else { Issue.record("not in backoff"); return }
            #expect(spawned(h.advance(until - h.now)) == ["web"])
        }
        #expect(delays == ["web restarting in 100ms", "web restarting in 200ms", "web restarting in 350ms", "web restarting in 350ms"])
    }

    @Test func backoffResetsAfterUptime() {
        let backoff = Backoff(initial: .milliseconds(100), max: .seconds(30), factor: 2, resetAfter: .seconds(10))
        var h = Harness([proc("web", restart: .always, backoff: backoff)])
        h.send(.start)
        h.exit("web", .exited(1))
        _ = h.advance(.milliseconds(100))
        h.exit("web", .exited(1))
        _ = h.advance(.milliseconds(200))
        _ = h.advance(.seconds(11))
        #expect(messages(h.exit("web", .exited(1))).contains("web restarting in 100ms"))
    }

    @Test func onFailureDoesNotRestartCleanExit() {
        var h = Harness([proc("web", restart: .onFailure), proc("db")])
        h.send(.start)
        let effects = h.exit("web", .exited(0))
        #expect(signals(effects) == ["db:15"], "a service that ended for good stops the stack")
    }

    @Test func maxRestartsGivesUpAndStopsStack() {
        var h = Harness([proc("web", restart: .always, maxRestarts: 2, backoff: Backoff(initial: .zero)), proc("db")])
        h.send(.start)
        h.exit("web", .exited(1))
        h.exit("web", .exited(1))
        let effects = h.exit("web", .exited(4))
        #expect(messages(effects).contains("web gave up after 2 restarts"))
        #expect(signals(effects) == ["db:15"])
        #expect(exitCode(h.exit("db", .exited(0))) == 4)
        #expect(h.core.instance(named: "web")?.restarts == 2)
    }

    @Test func optionalServiceMayEndWithoutStoppingStack() {
        var h = Harness([proc("web"), proc("docs", optional: true)])
        h.send(.start)
        #expect(signals(h.exit("docs", .exited(1))) == [])
        #expect(h.state("web")?.pid == 101)
    }

    @Test func dependencyOrderReadyThenSucceeded() {
        var h = Harness([
            proc("db", ready: .tcp(host: "127.0.0.1", port: "$PORT")),
            proc("migrate", kind: .job, deps: [("db", .ready)]),
            proc("web", deps: [("migrate", .succeeded), ("db", .ready)]),
        ])
        #expect(spawned(h.send(.start)) == ["db"])
        let dbPid = h.pid("db")!
        let probe = h.advance(.zero)
        #expect(probe == [.probe(instance: "db", pid: dbPid, check: .tcp(host: "127.0.0.1", port: "5000"), timeout: .seconds(1))])
        #expect(spawned(h.send(.probeFinished(instance: "db", pid: dbPid, passed: false, detail: ""))) == [])
        #expect(h.core.nextDeadline == h.now + .milliseconds(100))
        _ = h.advance(.milliseconds(100))
        let ready = h.send(.probeFinished(instance: "db", pid: dbPid, passed: true, detail: ""))
        #expect(spawned(ready) == ["migrate"])
        #expect(messages(ready).contains("db is ready"))
        let done = h.exit("migrate", .exited(0))
        #expect(spawned(done) == ["web"])
        #expect(signals(done) == [], "a job that succeeds just ends")
    }

    @Test func failedJobFailsDependentsWithReason() {
        var h = Harness([proc("migrate", kind: .job), proc("web", deps: [("migrate", .succeeded)])])
        h.send(.start)
        let effects = h.exit("migrate", .exited(1))
        #expect(messages(effects).contains("web: not started: migrate failed with exit code 1"), "\(messages(effects))")
        #expect(exitCode(effects) == 1)
    }

    @Test func completedAcceptsFailure() {
        var h = Harness([proc("seed", kind: .job, optional: true), proc("web", deps: [("seed", .completed)])])
        h.send(.start)
        #expect(spawned(h.exit("seed", .exited(3))) == ["web"])
    }

    @Test func shutdownStopsDependentsFirst() {
        var h = Harness([proc("db"), proc("api", deps: [("db", .started)]), proc("web", deps: [("api", .started)])])
        h.send(.start)
        #expect(signals(h.send(.shutdown(.signal(15)))) == ["web:15"])
        #expect(signals(h.exit("web", .signaled(15))) == ["api:15"])
        #expect(signals(h.exit("api", .signaled(15))) == ["db:15"])
        #expect(exitCode(h.exit("db", .signaled(15))) == 0)
    }

    @Test func upNamesStartsDependenciesTransitively() {
        var h = Harness([proc("db"), proc("api", deps: [("db", .started)]), proc("web", deps: [("api", .started)]), proc("other")], selected: ["web"])
        #expect(Set(h.core.instances.map(\.name)) == ["db", "api", "web"])
        #expect(spawned(h.send(.start)) == ["db", "api", "web"])
    }

    @Test func runModeStopsRestWhenTargetsFinish() {
        var h = Harness([proc("db"), proc("tests", kind: .job, deps: [("db", .started)]), proc("lint", kind: .job)], mode: .run(targets: ["tests"]))
        #expect(Set(h.core.instances.map(\.name)) == ["db", "tests"])
        h.send(.start)
        let effects = h.exit("tests", .exited(5))
        #expect(signals(effects) == ["db:15"])
        #expect(exitCode(h.exit("db", .signaled(15))) == 5)
    }

    @Test func runModeServiceDyingEarlyFailsTheRun() {
        var h = Harness([proc("db"), proc("tests", kind: .job, deps: [("db", .started)])], mode: .run(targets: []))
        h.send(.start)
        let effects = h.exit("db", .exited(0))
        #expect(messages(effects).contains("db ended before tests finished"))
        #expect(exitCode(h.exit("tests", .signaled(15))) == 1)
    }

    @Test func allJobsSucceededExitsZero() {
        var h = Harness([proc("a", kind: .job), proc("b", kind: .job)])
        h.send(.start)
        h.exit("a", .exited(0))
        #expect(exitCode(h.exit("b", .exited(0))) == 0)
    }

    @Test func spawnFailureReportsReasonAndExits127() {
        var h = Harness([proc("web"), proc("db")])
        var effects = h.core.handle(.start, now: h.now)
        #expect(spawned(effects) == ["web", "db"])
        _ = h.core.handle(.spawned(instance: "db", pid: 7), now: h.now)
        effects = h.core.handle(.spawnFailed(instance: "web", reason: "chdir /x: No such file or directory"), now: h.now)
        #expect(messages(effects).first == "web: cannot start: chdir /x: No such file or directory")
        #expect(signals(effects) == ["db:15"])
        effects = h.core.handle(.exited(instance: "db", pid: 7, termination: .signaled(15), groupEmpty: true), now: h.now)
        #expect(exitCode(effects) == 127)
    }

    @Test func restartRequestWaitsForOldGroup() {
        var h = Harness([proc("web")])
        h.send(.start)
        let pid = h.pid("web")!
        let effects = h.send(.restart(process: "web", reason: "app/x.rb changed"))
        #expect(signals(effects) == ["web:15"])
        #expect(spawned(effects) == [])
        #expect(spawned(h.send(.exited(instance: "web", pid: pid, termination: .signaled(15), groupEmpty: true))) == ["web"])
        #expect(h.core.instance(named: "web")?.restarts == 1)
        #expect(exitCode(h.log) == nil, "a requested restart is not an exit")
    }

    @Test func probeRetriesExhaustedStopsInstance() {
        var h = Harness([ProcessSpec(name: "db", command: "x", cwd: "/", port: 5000, restart: .no,
                                     ready: ReadyProbe(check: .exec(command: "false"), interval: .milliseconds(10), retries: 1))])
        h.send(.start)
        let pid = h.pid("db")!
        _ = h.advance(.zero)
        h.send(.probeFinished(instance: "db", pid: pid, passed: false, detail: ""))
        _ = h.advance(.milliseconds(10))
        let effects = h.send(.probeFinished(instance: "db", pid: pid, passed: false, detail: "check exited with exit code 1"))
        #expect(signals(effects) == ["db:15"])
        #expect(messages(effects).contains("db did not become ready after 2 checks: check exited with exit code 1"))
    }

    @Test func logProbeDoesNotSchedulePolling() {
        var h = Harness([proc("db", ready: .log(text: "ready")), proc("web", deps: [("db", .ready)])])
        h.send(.start)
        #expect(h.core.nextDeadline == nil)
        #expect(spawned(h.send(.probeFinished(instance: "db", pid: h.pid("db")!, passed: true, detail: ""))) == ["web"])
    }

    @Test func emptySelectionExitsAtOnce() {
        var h = Harness([proc("web", replicas: 0)])
        #expect(exitCode(h.send(.start)) == 0)
    }

    @Test func fileChangesAreDebouncedIntoOneRestart() {
        var spec = proc("web")
        spec.watch = WatchSpec(paths: ["/p/app"], debounce: .milliseconds(200))
        var h = Harness([spec, proc("db")])
        h.send(.start)
        #expect(h.send(.fileChanged(process: "web", path: "app/a.rb")) == [])
        #expect(h.core.nextDeadline == h.now + .milliseconds(200))
        _ = h.advance(.milliseconds(100))
        h.send(.fileChanged(process: "web", path: "app/b.rb"))
        h.send(.fileChanged(process: "web", path: "app/a.rb"))
        let effects = h.advance(.milliseconds(100))
        #expect(messages(effects).first == "web changed: app/a.rb and 1 more, restarting")
        #expect(signals(effects) == ["web:15"])
        #expect(spawned(h.exit("web", .signaled(15))) == ["web"], "the new instance starts once the old one is gone")
        #expect(exitCode(h.log) == nil)
    }

    @Test func fileChangeRerunsAFinishedJobButNotAStoppedProcess() {
        var job = proc("tests", kind: .job)
        job.watch = WatchSpec(paths: ["/p/src"], debounce: .zero)
        var stopped = proc("lint")
        stopped.watch = WatchSpec(paths: ["/p/src"], debounce: .zero)
        var h = Harness([job, stopped, proc("web")])
        h.send(.start)
        h.exit("tests", .exited(0))
        h.send(.request(.stop(["lint"])))
        h.exit("lint", .signaled(15))
        h.send(.fileChanged(process: "tests", path: "src/x.swift"))
        h.send(.fileChanged(process: "lint", path: "src/x.swift"))
        let effects = h.advance(.zero)
        #expect(spawned(effects) == ["tests"])
    }

    @Test func timeArithmeticSaturates() {
        #expect(Instant(nanoseconds: .max - 5) + .seconds(1) == Instant(nanoseconds: .max))
        #expect(Instant(nanoseconds: .min + 5) - Instant(nanoseconds: 10) == .nanoseconds(Int64.min))
    }

    @Test func jitterNeverTakesTheDelayPastMax() {
        let backoff = Backoff(initial: .seconds(5), max: .seconds(5), factor: 2, resetAfter: .seconds(60))
        var core = Supervisor(project: ProjectSpec(directory: "/p", configFile: "/p/orch.yaml", processes: [proc("web", restart: .always, backoff: backoff)]), jitter: 0.5)
        var now = Instant(nanoseconds: 1)
        var pid: Int32 = 10
        _ = core.handle(.start, now: now)
        _ = core.handle(.spawned(instance: "web", pid: pid), now: now)
        for _ in 0..<20 {
            _ = core.handle(.exited(instance: "web", pid: pid, termination: .exited(1), groupEmpty: true), now: now)
            guard case let .backoff(until) = core.instance(named: "web")!.state else { Issue.record("no backoff"); return }
            #expect(until - now <= .seconds(5))
            now = until
            _ = core.handle(.tick, now: now)
            pid += 1
            _ = core.handle(.spawned(instance: "web", pid: pid), now: now)
        }
    }

    @Test func forwardSignalGoesToRunningGroups() {
        var h = Harness([proc("web"), proc("worker")])
        h.send(.start)
        #expect(Set(signals(h.send(.forward(signal: 10)))) == ["web:10", "worker:10"])
    }

    @Test func humanDurations() {
        let cases: [(Duration, String)] = [
            (.zero, "0ms"), (.nanoseconds(999), "999ns"), (.nanoseconds(874_511), "874µs"), (.milliseconds(48), "48ms"),
            (.milliseconds(1500), "1.5s"), (.seconds(5), "5s"), (.seconds(90), "1m30s"), (.seconds(120), "2m"),
        ]
        for (duration, text) in cases { #expect(duration.humanDescription == text) }
    }
}
