import OrchConfig
import Testing

@testable import OrchCore

/// `orch run`'s decisions in the pure core, with an injected clock: job timeouts,
/// --timeout-all, which failure decides the exit code, --fail-fast, autostart and
/// never a false green.
@Suite struct RunDecisionTests {
    func job(_ name: String, timeout: Duration? = nil, dependsOn: [Dependency] = []) -> ProcessSpec {
        var spec = ProcessSpec(name: name, command: "x", cwd: "/", kind: .job, dependsOn: dependsOn)
        spec.timeout = timeout
        return spec
    }

    @Test func aJobPastItsTimeoutIsStoppedAndFailsWith124() {
        var h = Harness([job("tests", timeout: .seconds(600))], mode: .run(targets: ["tests"]))
        h.send(.start)
        let pid = h.pid("tests")
        #expect(h.core.nextDeadline == h.now + .seconds(600))
        #expect(signals(h.advance(.seconds(599))).isEmpty)
        let effects = h.advance(.seconds(1))
        #expect(messages(effects).contains("tests timed out after 10m"))
        #expect(signals(effects) == ["tests:15"])
        let end = h.send(.exited(instance: "tests", pid: pid!, termination: .signaled(15), groupEmpty: true))
        #expect(exitCode(end) == 124)
        #expect(h.state("tests") == .ended(.failed(reason: "timed out after 10m", code: 124)))
    }

    /// (kind, mode) → whether `timeout` applies: always to jobs, to services under `orch run`.
    @Test(arguments: [
        (ProcessKind.job, Mode.up, true), (.job, .run(targets: ["p"]), true),
        (.service, .up, false), (.service, .run(targets: ["p"]), true),
    ])
    func timeoutAppliesToJobsAndToServicesUnderRun(kind: ProcessKind, mode: Mode, applies: Bool) {
        var spec = job("p", timeout: .seconds(5))
        spec.kind = kind
        var h = Harness([spec], mode: mode)
        h.send(.start)
        #expect((h.core.nextDeadline == h.now + .seconds(5)) == applies)
        #expect(signals(h.advance(.seconds(5))) == (applies ? ["p:15"] : []))
    }

    @Test func aJobThatIgnoresTheStopSignalIsKilledAndStillTimesOut() {
        var spec = job("tests", timeout: .seconds(1))
        spec.stop = StopSpec(signal: 15, timeout: .seconds(2))
        var h = Harness([spec], mode: .run(targets: ["tests"]))
        h.send(.start)
        let pid = h.pid("tests")!
        #expect(signals(h.advance(.seconds(1))) == ["tests:15"])
        #expect(signals(h.advance(.seconds(2))) == ["tests:9"])
        #expect(exitCode(h.send(.exited(instance: "tests", pid: pid, termination: .signaled(9), groupEmpty: true))) == 124)
    }

    /// (which exits first, its code) → orch's exit code: the first to fail in time,
    /// whatever the file order.
    @Test(arguments: [("a", Int32(5), Int32(5)), ("b", Int32(6), Int32(6))])
    func theFirstTargetToFailInTimeDecides(first: String, code: Int32, expected: Int32) {
        var h = Harness([job("a"), job("b")], mode: .run(targets: ["a", "b"]))
        h.send(.start)
        let second = first == "a" ? "b" : "a"
        #expect(exitCode(h.exit(first, .exited(code))) == nil, "the other target still runs")
        #expect(exitCode(h.exit(second, .exited(second == "a" ? 5 : 6))) == expected)
    }

    @Test func failFastStopsTheOtherTargetsAtTheFirstFailure() {
        var h = Harness([job("a"), job("b")], mode: .run(targets: ["a", "b"]))
        h.core.failFast = true
        h.send(.start)
        let pid = h.pid("a")!
        let effects = h.exit("b", .exited(6))
        #expect(messages(effects).contains("b failed: stopping the run (--fail-fast)"))
        #expect(signals(effects) == ["a:15"])
        #expect(exitCode(h.send(.exited(instance: "a", pid: pid, termination: .signaled(15), groupEmpty: true))) == 6)
        #expect(h.state("a") == .ended(.stopped))
    }

    @Test func timeoutAllStopsTheRunWith124UnlessATargetFailedBefore() {
        for failedBefore in [false, true] {
            var h = Harness([job("a"), job("b")], mode: .run(targets: ["a", "b"]))
            h.core.runTimeout = .seconds(1800)
            h.send(.start)
            #expect(h.core.nextDeadline == h.now + .seconds(1800))
            if failedBefore { h.exit("b", .exited(6)) }
            let running = ["a", "b"].compactMap { name in h.pid(name).map { (name, $0) } }
            let effects = h.advance(.seconds(1800))
            #expect(messages(effects).contains("the run timed out after 30m, --timeout-all, stopping"))
            #expect(signals(effects) == running.map { "\($0.0):15" })
            var end: [Effect] = []
            for (name, pid) in running {
                end = h.send(.exited(instance: name, pid: pid, termination: .signaled(15), groupEmpty: true))
            }
            #expect(exitCode(end) == (failedBefore ? 6 : 124))
            #expect(h.state("a") == .ended(.failed(reason: "timed out after 30m, --timeout-all", code: 124)))
        }
    }

    @Test func aRunStoppedOnRequestIsNeverGreen() {
        var h = Harness([job("tests")], mode: .run(targets: ["tests"]))
        h.send(.start)
        let pid = h.pid("tests")!
        h.send(.shutdown(.request))
        #expect(exitCode(h.send(.exited(instance: "tests", pid: pid, termination: .signaled(15), groupEmpty: true))) == 1)
    }

    @Test func aTargetWithNoInstancesIsNeverGreen() {
        var tests = job("tests")
        tests.replicas = 0
        var h = Harness([tests], mode: .run(targets: ["tests"]))
        #expect(exitCode(h.send(.start)) == 1)
    }

    @Test func autostartFalseStaysStoppedUnderUpUntilStarted() {
        var tests = job("tests")
        tests.autostart = false
        let web = ProcessSpec(name: "web", command: "x", cwd: "/")
        var h = Harness([web, tests])
        #expect(spawned(h.send(.start)) == ["web"])
        #expect(h.state("tests") == .ended(.stopped))
        #expect(spawned(h.send(.request(.start(["tests"])))) == ["tests"])
    }

    @Test func aProcessAddedByReloadWithAutostartFalseStaysStopped() {
        let web = ProcessSpec(name: "web", command: "x", cwd: "/")
        var h = Harness([web])
        h.send(.start)
        var tests = job("tests")
        tests.autostart = false
        let effects = h.send(.request(.reload(ProjectSpec(directory: "/p", configFile: "/p/orch.yaml", processes: [web, tests]))))
        #expect(spawned(effects).isEmpty)
        #expect(h.state("tests") == .ended(.stopped))
    }

    @Test func autostartFalseStartsWhenNamedOrNeeded() {
        var db = ProcessSpec(name: "db", command: "x", cwd: "/")
        db.autostart = false
        let web = ProcessSpec(name: "web", command: "x", cwd: "/", dependsOn: [Dependency(name: "db", condition: .started)])
        var h = Harness([db, web])
        #expect(spawned(h.send(.start)) == ["db", "web"])
        var named = Harness([db, web], selected: ["db"])
        #expect(spawned(named.send(.start)) == ["db"])
    }
}
