import OrchConfig
import Testing

@testable import OrchCore

/// How an `orch run` target ends in the pure core: a success ends it even under
/// `restart: always`, and a target stopped on request ends the run (never green).
@Suite struct RunTargetEndTests {
    /// (kind, restart, exit) → whether the target is started again and the exit code
    /// once it ends: only a failure is retried; a success is what the run waits for.
    @Test(arguments: [
        (ProcessKind.job, RestartPolicy.always, Termination.exited(0), false, Int32?(0)),
        (.service, .always, .exited(0), false, 0),
        (.job, .always, .exited(3), true, nil),
        (.job, .onFailure, .exited(3), true, nil),
        (.service, .onFailure, .exited(0), false, 0),
    ])
    func aTargetThatSucceededIsNotStartedAgain(kind: ProcessKind, restart: RestartPolicy, termination: Termination,
                                               restarted: Bool, code: Int32?) {
        var h = Harness([proc("tests", kind: kind, restart: restart, backoff: Backoff(initial: .zero, max: .zero, factor: 1))],
                        mode: .run(targets: ["tests"]))
        h.send(.start)
        let effects = h.exit("tests", termination)
        #expect(!spawned(effects).isEmpty == restarted)
        #expect(exitCode(effects) == code)
    }

    /// `orch ctl stop` of the target (or scaling it to 0) while another process keeps
    /// running: the run stops the rest and exits 1, it does not wait for a start.
    @Test(arguments: [Request.stop(["tests"]), .scale(process: "tests", count: 0)])
    func aTargetStoppedOnRequestEndsTheRunWith1(_ request: Request) {
        var h = Harness([proc("db"), proc("tests", kind: .job, deps: [("db", .started)])], mode: .run(targets: ["tests"]))
        h.send(.start)
        #expect(signals(h.send(.request(request))).first == "tests:15")
        #expect(signals(h.exit("tests", .signaled(15))) == ["db:15"])
        #expect(exitCode(h.exit("db", .signaled(15))) == 1)
    }

    /// The quiet one-off shows exactly the events that report a failure.
    @Test(arguments: [
        (SupervisorEvent.cannotStart(instance: "run", reason: "x"), true),
        (.killedAfterTimeout(instance: "run", timeout: .seconds(5)), true),
        (.runTimedOut(limit: .seconds(1)), true),
        (.notStarted(instance: "run", reason: "db failed"), true),
        (.started(instance: "run", pid: 1), false),
        (.exited(instance: "run", .exited(3)), false),
        (.stopping(instance: "run", signal: 15), false),
    ])
    func failureEventsAreChosenByCase(_ event: SupervisorEvent, _ failure: Bool) {
        #expect(event.isFailure == failure)
    }
}
