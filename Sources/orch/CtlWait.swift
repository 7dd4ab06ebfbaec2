import OrchCLI
import OrchClient
import OrchConfig
import OrchCore
import OrchProtocol
import OrchSystem

/// `--wait` of `orch ctl start|restart|stop|down`: return only once what was asked
/// has happened, so `orch ctl restart web --wait && curl …` works.
struct WaitOptions {
    static let options: [OptionSpec] = [
        .flag("wait", help: "Return once it has happened: started/restarted instances running (and ready, with a ready: check), stopped ones gone, orch exited for down."),
        .value("wait-timeout", name: "duration", help: "How long --wait waits before it gives up with exit 1.", default: "default: 60s"),
    ]

    var wait: Bool
    var waitTimeout: String

    init(_ parsed: Parsed) {
        wait = parsed.flag("wait")
        waitTimeout = parsed.string("wait-timeout") ?? "60s"
    }

    /// The deadline on the monotonic clock, or exits 2 for a bad duration.
    func deadline() throws -> (at: Instant, text: String) {
        guard let duration = DurationParser.parse(waitTimeout) else {
            printError("orch: --wait-timeout '\(waitTimeout)' is not a duration (use e.g. 500ms, 30s, 2m)")
            throw ExitCode(2)
        }
        return (Instant(nanoseconds: Clock.monotonicNanoseconds()) + duration, duration.humanDescription)
    }
}

/// Polls orch's status until `names` have started (and are ready) or have stopped;
/// exits 1 when one ends instead, or at the deadline.
func waitFor(_ method: Method, _ names: [String], client: ControlClient, ctl: CtlOptions, deadline: (at: Instant, text: String)) throws {
    let stopping = method == .stop
    let want = stopping ? "to stop" : "to be running and ready"
    while true {
        let rows = try ctl.call(client, .status).processes ?? []
        var pending: [String] = []
        for name in names {
            guard let row = rows.first(where: { $0.name == name }) else {
                if stopping { continue }  // scaled away: gone as asked
                printError("orch: \(name) is gone (scaled down or removed) before it was running")
                throw ExitCode(1)
            }
            let ended = ["stopped", "exited", "failed"].contains(row.state)
            if stopping {
                if !ended { pending.append("\(name) (\(row.state))") }
            } else if ended {
                printError("orch: \(name) \(row.state)\(row.lastExit.map { " (\($0))" } ?? "") before it was ready")
                throw ExitCode(1)
            } else if !(row.state == "running" && row.ready) {
                pending.append("\(name) (\(row.state == "running" ? "not ready" : row.state))")
            }
        }
        if pending.isEmpty { return }
        if Instant(nanoseconds: Clock.monotonicNanoseconds()) >= deadline.at {
            printError("orch: timed out after \(deadline.text) waiting for \(pending.joined(separator: ", ")) \(want)")
            throw ExitCode(1)
        }
        Clock.pause(milliseconds: 50)
    }
}

/// Waits until the orch whose pid is `pid` has exited.
func waitForExit(of pid: Int32, deadline: (at: Instant, text: String)) throws {
    while Processes.isAlive(pid) {
        if Instant(nanoseconds: Clock.monotonicNanoseconds()) >= deadline.at {
            printError("orch: timed out after \(deadline.text) waiting for orch (pid \(pid)) to exit")
            throw ExitCode(1)
        }
        Clock.pause(milliseconds: 50)
    }
}
