import Foundation
import OrchSystem
import Testing

/// A TCP listener the test holds, as "someone else" holding a port.
final class PortHolder {
    let fd: Int32
    let port: UInt16
    private var queued: [Int32] = []

    /// `saturated`: the accept queue is full, so a connect(2) to it hangs.
    init(saturated: Bool = false) throws {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 0)
        fd = listener.fd
        port = listener.port
        if saturated {
            for _ in 0..<3 { queued.append(try Socket.connect(host: "127.0.0.1", port: port)) }
        }
    }

    func close() {
        for client in queued { Descriptor.close(client) }
        queued = []
        Descriptor.close(fd)
    }
}

extension EndToEnd {
    /// The lifecycle bugs of the runtime/core split, each as a user meets it.
    @Suite("Lifecycle, end to end", .serialized)
    struct LifecycleBugTests {
        @Test("A reload of an unchanged file restarts nothing, --timeout included")
        func reloadOfUnchangedFile() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", "web: echo $$ > web.pid; exec sleep 1000\n")
            try stack.up(["up", "--timeout", "2s"], started: ["web"])
            let reload = try stack.ctl(["reload"])
            #expect(reload.code == 0, "\(reload.err)")
            #expect(reload.out.contains("unchanged: web"), "\(reload.out)")
            #expect(!reload.out.contains("restarted"), "\(reload.out)")
            let ps = try stack.ctl(["ps", "--json"])
            let json = try #require(JSONSerialization.jsonObject(with: Data(ps.out.utf8)) as? [String: Any])
            let rows = try #require(json["processes"] as? [[String: Any]])
            #expect(rows.first?["state"] as? String == "running")
            #expect(rows.first?["restarts"] as? Int == 0)
        }

        @Test("A reload that changes only replicas reports a scale, not a restart")
        func reloadReportsScale() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            let config = { (replicas: Int) in "processes:\n  web:\n    command: exec sleep 1000\n    replicas: \(replicas)\n" }
            try stack.project.write("orch.yaml", config(1))
            try stack.up(["up"], started: ["web"])
            try stack.project.write("orch.yaml", config(2))
            let reload = try stack.ctl(["reload"])
            #expect(reload.code == 0, "\(reload.err)")
            #expect(reload.out.contains("scaled: web 1→2"), "\(reload.out)")
            #expect(!reload.out.contains("restarted"), "\(reload.out)")
        }

        @Test("A process removed by a reload stops with its own stop signal")
        func removedProcessStopsWithItsSignal() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("orch.yaml", """
            processes:
              web:
                command: exec sleep 1000
              worker:
                command: trap 'echo got INT; exit 0' INT; echo $$ > worker.pid; while true; do sleep 0.05; done
                stop: {signal: INT, timeout: 20s}
            """)
            let orch = try stack.up(["up"], started: ["web", "worker"])
            try stack.project.write("orch.yaml", "processes:\n  web:\n    command: exec sleep 1000\n")
            let reload = try stack.ctl(["reload"])
            #expect(reload.out.contains("stopped: worker"), "\(reload.out)")
            #expect(eventually(timeout: 20) { orch.stdout.contains("worker | got INT") }, "\(orch.stdout)")
            #expect(orch.stdout.contains("worker stopping (SIGINT)"), "\(orch.stdout)")
        }

        @Test("Reading a process's logs does not start it")
        func logsDoNotStart() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", "web: exec sleep 1000\nworker: echo $$ > worker.pid; exec sleep 1000\n")
            let orch = try stack.up(["up", "web"], started: ["web"])
            let logs = try stack.ctl(["logs", "worker"])
            #expect(logs.code == 0, "\(logs.err)")
            let ps = try stack.ctl(["ps"])
            #expect(!ps.out.contains("worker"), "\(ps.out)")
            let stop = try stack.ctl(["stop", "worker"])
            #expect(stop.out.contains("worker: already stopped"), "\(stop.out)")
            #expect(!orch.stdout.contains("worker started"), "\(orch.stdout)")
            #expect(stack.project.read("worker.pid") == nil)
        }

        @Test("A port that does not answer never blocks the loop")
        func silentPortDoesNotFreezeOrch() throws {
            let holder = try PortHolder(saturated: true)
            defer { holder.close() }
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("orch.yaml", """
            processes:
              web:
                command: exec sleep 1000
                ready: {tcp: "127.0.0.1:\(holder.port)", timeout: 500ms}
              clock:
                command: while true; do echo tick; sleep 0.2; done
            """)
            let orch = try stack.up(["up"])
            #expect(eventually(timeout: 20) { orch.stdout.contains("clock | tick") }, "\(orch.stdout)")
            let ps = try stack.ctl(["ps"], timeout: 15)
            #expect(ps.code == 0, "orch ctl ps got no answer: the loop is blocked")
            orch.signal(SIGINT)
            #expect(exitCode(of: orch, timeout: 20) == 0)
        }

        @Test("--timeout also bounds how long orphans get at exit")
        func timeoutGovernsOrphans() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", """
            web: setsid sh -c 'trap "" TERM; echo $$ > orphan.pid; exec sleep 1000' & exec sleep 1000
            """)
            let orch = try stack.up(["up", "--no-control", "--timeout", "8s"], started: ["web"])
            #expect(eventually(timeout: 20) { stack.project.read("orphan.pid") != nil })
            let asked = Date()
            orch.signal(SIGINT)
            #expect(exitCode(of: orch, timeout: 30) == 0)
            let took = Date().timeIntervalSince(asked)
            #expect(took >= 7.5, "orch gave the TERM-ignoring orphan \(took)s, not --timeout's 8s")
            assertAllGoneOrKill(stack.project.recordedPids())
        }

        @Test("Shutdown wins over a port wait: orch exits and nothing starts")
        func shutdownDuringPortWait() throws {
            let holder = try PortHolder()
            defer { holder.close() }
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; exec sleep 1000
                ready: {tcp: "127.0.0.1:$PORT"}
            """)
            let orch = try stack.up(["up", "-p", String(holder.port)])
            #expect(eventually(timeout: 20) { orch.stdout.contains("web waiting for port \(holder.port) to be free") }, "\(orch.stdout)")
            orch.signal(SIGINT)
            #expect(exitCode(of: orch, timeout: 20) == 0, "\(orch.stdout)")
            #expect(!orch.stdout.contains("web started"), "\(orch.stdout)")
            #expect(stack.project.read("web.pid") == nil)
        }

        @Test("A readiness check does not pass on someone else's server")
        func readinessOnSomeoneElsesServer() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            let holder = try PortHolder()
            let port = holder.port
            holder.close()
            let other = try stack.start("/usr/bin/env", ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1"])
            #expect(eventually(timeout: 20) { (try? Socket.connectBlocking(host: "127.0.0.1", port: port, timeoutMilliseconds: 200)).map { Descriptor.close($0); return true } ?? false })
            try stack.project.write("orch.yaml", """
            processes:
              api:
                command: exec python3 -m http.server $PORT --bind 127.0.0.1
                ready: {http: /}
              web:
                command: exec sleep 1000
                depends_on: {api: ready}
            """)
            let orch = try stack.up(["up", "-p", String(port)])
            #expect(eventually(timeout: 20) { orch.stdout.contains("api waiting for port \(port) to be free") }, "\(orch.stdout)")
            #expect(!orch.stdout.contains("api is ready"), "\(orch.stdout)")
            other.signal(SIGKILL)
            #expect(eventually(timeout: 30) { orch.stdout.contains("web started") }, "\(orch.stdout)")
            let lines = orch.lines
            let order = ["api waiting for port", "api started", "api is ready", "web started"].map { index(of: $0, in: lines) ?? -1 }
            #expect(order == order.sorted() && !order.contains(-1), "\(lines)")
            orch.signal(SIGINT)
            #expect(exitCode(of: orch, timeout: 20) == 0)
        }

        @Test("A command that is not found is not restarted")
        func commandNotFound() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("orch.yaml", """
            processes:
              web:
                command: orch-test-no-such-command --port 3000
            """)
            let result = try stack.run(["up", "--no-control"], timeout: 20)
            #expect(result.code == 127, "\(result.out)")
            #expect(result.out.contains("web: orch-test-no-such-command: command not found (exit 127); not restarting"), "\(result.out)")
            #expect(!result.out.contains("restarting in"), "\(result.out)")
        }

        @Test("Events have one JSON shape on orch's output and from orch ctl events")
        func eventJSONAgrees() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", "web: exec sleep 1000\n")
            let orch = try stack.up(["up", "--log-format", "json"], started: ["web"])
            let follower = try stack.start(orchBinary(), ["ctl", "events", "--json"])
            #expect(eventually(timeout: 20) { follower.stderr.contains("following events") })
            _ = try stack.ctl(["restart", "web"])
            #expect(eventually(timeout: 20) { follower.stdout.contains("\"kind\":\"started\"") }, "\(follower.stdout)")
            func objects(_ text: String) -> [[String: String]] {
                text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            }
            let followed = objects(follower.stdout).first { $0["kind"] == "stopping" }
            let printed = objects(orch.stdout).first { $0["kind"] == "stopping" }
            #expect(followed?["instance"] == "web" && followed?["event"] == "web stopping (SIGTERM)", "\(follower.stdout)")
            #expect(printed.map { Set($0.keys) } == followed.map { Set($0.keys) }, "\(orch.stdout)")
            #expect(followed?["ts"]?.hasSuffix("Z") == true)
        }
    }
}

/// Like `assertAllGone`, for Swift Testing: records survivors and kills them.
func assertAllGoneOrKill(_ pids: [Int32], sourceLocation: SourceLocation = #_sourceLocation) {
    let gone = eventually(timeout: 5) { pids.allSatisfy { !isAlive($0) } }
    let left = pids.filter(isAlive)
    #expect(gone, "processes survived orch: \(left)", sourceLocation: sourceLocation)
    for pid in left { kill(pid, SIGKILL) }
}
