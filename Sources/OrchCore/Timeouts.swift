/// Job timeouts (`timeout:` on a process) and `orch run --timeout-all`: deadlines
/// the runtime's timer wakes the core for (`nextDeadline`), decided here with the
/// `now` each event brings.
extension Supervisor {
    /// The exit code of a process stopped for running too long, as timeout(1) uses.
    public static let timeoutCode: Int32 = 124

    /// When a started instance's `timeout` runs out; nil once it has ended. A
    /// service's timeout counts only under `orch run`: `orch up` runs it until stopped.
    func timeoutDeadline(of record: InstanceRecord) -> Instant? {
        guard record.timedOut == nil, let started = record.firstStartedAt,
              let process = spec(named: record.process), let limit = process.timeout,
              process.kind == .job || mode != .up else { return nil }
        switch record.state {
        case .running, .backoff: return started + limit
        default: return nil
        }
    }

    /// Whether every target of `orch run` has an instance and all of them exited 0.
    var targetsSucceeded: Bool {
        guard !targets.isEmpty else { return true }
        for target in targets {
            let records = instances.filter { $0.process == target }
            if records.isEmpty { return false }
            for record in records {
                guard case let .ended(.exited(termination)) = record.state, termination.succeeded else { return false }
            }
        }
        return true
    }

    /// `orch run`: a target stopped on request (`orch ctl stop tests`, or scaled
    /// down) did not finish. Once no target is left to wait for, the run ends (exit 1
    /// unless an earlier failure decides) rather than serving on for an `orch ctl
    /// start` that no CI job sends.
    mutating func endRunIfTargetsEnded(_ now: Instant, _ effects: inout [Effect]) {
        guard case .run = mode, !shuttingDown, !finished, !targets.isEmpty,
              !instances.contains(where: { targets.contains($0.process) && !$0.state.isEnded }) else { return }
        beginShutdown(code: firstTargetFailure ?? 0, now: now, &effects)
    }

    /// Stops instances past their `timeout` and, past `--timeout-all`, the whole run.
    mutating func checkTimeouts(_ now: Instant, _ effects: inout [Effect]) {
        for i in instances.indices {
            guard let deadline = timeoutDeadline(of: instances[i]), deadline <= now,
                  let limit = spec(named: instances[i].process)?.timeout else { continue }
            let reason = "timed out after \(limit.humanDescription)"
            effects.append(.event(.timedOut(instance: instances[i].name, limit: limit)))
            instances[i].timedOut = reason
            if case .backoff = instances[i].state {
                end(i, .failed(reason: reason, code: Supervisor.timeoutCode), now, &effects)
            } else {
                stop(i, then: .policy, now: now, &effects)
            }
        }
        guard !shuttingDown, let deadline = runDeadline, deadline <= now, let limit = runTimeout else { return }
        let reason = "timed out after \(limit.humanDescription), --timeout-all"
        effects.append(.event(.runTimedOut(limit: limit)))
        for i in instances.indices where targets.contains(instances[i].process) && instances[i].timedOut == nil {
            switch instances[i].state {
            case .running, .starting, .stopping: instances[i].timedOut = reason
            default: break
            }
        }
        // A target that failed earlier still decides the exit code (first in time).
        beginShutdown(code: firstTargetFailure ?? Supervisor.timeoutCode, now: now, &effects)
    }
}
