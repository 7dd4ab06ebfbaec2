import Foundation
import OrchSystem
import Testing

extension EndToEnd {
    /// The control port and `orch ctl`, against a real running orch.
    final class ControlTests: ProjectTestCase {
        var orch: Running?

        deinit {
            orch?.ensureStopped()
        }

        /// Starts `orch up` and waits until its state file exists and every process started.
        func startOrch(_ procfile: String, arguments: [String] = [], started: [String]) throws -> Running {
            try project.write("Procfile", procfile)
            let run = try Running(["up", "--timeout", "2s"] + arguments, in: project.path, environment: env)
            orch = run
            #expect(run.waitFor("processes started") { r in started.allSatisfy { r.stdout.contains("\($0) started (pid") } && self.stateFile() != nil })
            return run
        }

        func stateFile() -> String? {
            let dir = project.path + "/run/orch"
            guard let name = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.first(where: { $0.hasSuffix(".json") }) else { return nil }
            return dir + "/" + name
        }

        func endpoint() throws -> (port: UInt16, token: String) {
            let data = try Data(contentsOf: URL(fileURLWithPath: try #require(stateFile())))
            let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
            return (UInt16(try #require(object["port"] as? Int)), try #require(object["token"] as? String))
        }

        func ctl(_ arguments: [String], in directory: String? = nil) throws -> (code: Int32?, out: String, err: String) {
            try runToEnd(["ctl"] + arguments, in: directory ?? project.path, environment: env)
        }

        @Test func psStartStopRestartSignalAndDown() throws {
            let run = try startOrch("""
            web: echo $$ > web.pid; trap 'echo got hup' HUP; while true; do sleep 0.05; done
            worker: echo $$ > worker.pid; exec sleep 1000
            """, started: ["web", "worker"])
            var result = try ctl(["ps"])
            #expect(result.code == 0, "\(result.err)")
            let header = try #require(result.out.split(separator: "\n").first)
            #expect(header.hasPrefix("NAME    STATE    PID"), "\(result.out)")
            #expect(result.out.contains("web     running"), "\(result.out)")
            #expect(result.out.contains("5100"), "\(result.out)")

            // From a subdirectory, with --json.
            try project.write("sub/keep", "")
            result = try ctl(["ps", "--json"], in: project.path + "/sub")
            #expect(result.code == 0, "\(result.err)")
            let json = try #require(JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
            let rows = try #require(json["processes"] as? [[String: Any]])
            #expect((rows.map { $0["name"] as? String }) == ["web", "worker"])
            #expect((rows.first?["state"] as? String) == "running")

            result = try ctl(["restart", "wrker"])
            #expect(result.code == 1)
            #expect(result.err == "orch: unknown process 'wrker' (did you mean 'worker'?)\n")

            let oldWorker = try #require(project.read("worker.pid")).trimmingCharacters(in: .whitespacesAndNewlines)
            result = try ctl(["restart", "worker"])
            #expect(result.code == 0, "\(result.err)")
            #expect(run.waitFor("worker restarted") { _ in
                (self.project.read("worker.pid")?.trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 != oldWorker } ?? false
            })
            #expect(!(isAlive(Int32(oldWorker)!)), "the old instance is gone before the new one runs")

            result = try ctl(["signal", "web", "HUP"])
            #expect(result.code == 0, "\(result.err)")
            #expect(run.waitForLine(containing: "web    | got hup"))

            result = try ctl(["stop", "worker"])
            #expect(result.code == 0, "\(result.err)")
            #expect(run.waitFor("worker stopped") { _ in (try? self.ctl(["ps"]).out.contains("worker  stopped")) ?? false })
            #expect(run.process.isRunning, "a process stopped on request does not stop orch")

            result = try ctl(["start", "worker"])
            #expect(result.code == 0, "\(result.err)")
            #expect(run.waitFor("worker running again") { _ in (try? self.ctl(["ps"]).out.contains("worker  running")) ?? false })

            let pids = project.recordedPids()
            result = try ctl(["down"])
            #expect(result.code == 0, "\(result.err)")
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
            #expect(stateFile() == nil, "the state file is removed on exit")
            result = try ctl(["ps"])
            #expect(result.code == 1)
            #expect(result.err.hasPrefix("orch: no orch is running for "), "\(result.err)")
        }

        @Test func scaleLogsAndShortForms() throws {
            let run = try startOrch("""
            web: echo "hello from $ORCH_PROCESS_NAME"; for i in 1 2 3; do echo "line $i"; done; exec sleep 1000
            """, started: ["web"])
            #expect(run.waitForLine(containing: "line 3"))
            var result = try ctl(["logs", "web", "-n", "2"])
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out == "web  | line 2\nweb  | line 3\n")
            result = try ctl(["scale", "web=3"])
            #expect(result.code == 0, "\(result.err)")
            #expect(run.waitForLine(containing: "hello from web.3"))
            result = try runToEnd(["ps"], in: project.path, environment: env)
            #expect(result.code == 0)
            #expect(result.out.contains("web.2") && result.out.contains("web.3"), "\(result.out)")
            #expect(result.out.contains("5002"), "\(result.out)")
            result = try ctl(["scale", "web=1"])
            #expect(result.code == 0, "\(result.err)")
            #expect(run.waitFor("scaled down") { _ in !((try? self.ctl(["ps"]).out.contains("web.3")) ?? true) })
            result = try runToEnd(["restart", "web"], in: project.path, environment: env)
            #expect(result.code == 0, "\(result.err)")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }

        @Test func logsFollowAndEventsStream() throws {
            let run = try startOrch("""
            web: echo $$ > web.pid; while [ ! -f go ]; do sleep 0.02; done; echo "after go"; exec sleep 1000
            """, started: ["web"])
            let follower = try Running(["ctl", "logs", "-f"], in: project.path, environment: env)
            defer { follower.ensureStopped() }
            let events = try Running(["ctl", "events"], in: project.path, environment: env)
            defer { events.ensureStopped() }
            #expect(events.waitFor("events subscribed") { $0.stderr.contains("following events") })
            try project.write("go", "")
            #expect(follower.waitForLine(containing: "web  | after go"))
            try #expect(ctl(["restart", "web"]).code == 0)
            #expect(events.waitForLine(containing: "web stopping (SIGTERM)"))
            #expect(events.waitForLine(containing: "web started (pid"))
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            #expect(follower.waitForExit() != nil, "followers end when orch goes away")
            #expect(events.waitForExit() != nil)
        }

        @Test func reloadAppliesTheDiff() throws {
            try project.write("orch.yaml", """
            processes:
              keep:
                command: echo "keep $$"; exec sleep 1000
              change:
                command: echo "change v1"; exec sleep 1000
              remove:
                command: echo "remove"; exec sleep 1000
            """)
            let run = try Running(["up"], in: project.path, environment: env)
            orch = run
            #expect(run.waitFor("all started") { r in ["keep", "change", "remove"].allSatisfy { r.stdout.contains("\($0) started") } && self.stateFile() != nil })
            try project.write("orch.yaml", """
            processes:
              keep:
                command: echo "keep $$"; exec sleep 1000
              change:
                command: echo "change v2"; exec sleep 1000
              added:
                command: echo "added"; exec sleep 1000
            """)
            let result = try ctl(["reload"])
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out == "restarted: change\nstarted: added\nstopped: remove\nunchanged: keep\n")
            #expect(run.waitForLine(containing: "change v2"))
            #expect(run.waitForLine(containing: "added  | added") || run.stdout.contains("added | added"))
            #expect(run.waitForLine(containing: "remove exited with signal TERM"))
            #expect(run.stdout.components(separatedBy: "keep started").count == 2, "keep is left alone")
            // A broken config changes nothing.
            try project.write("orch.yaml", "processes:\n  keep:\n    comand: x\n")
            let broken = try ctl(["reload"])
            #expect(broken.code == 1)
            #expect(broken.err.contains("reload failed, nothing changed"), "\(broken.err)")
            #expect(broken.err.contains("did you mean 'command'"), "\(broken.err)")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }

        @Test func stateFilePermissionsStaleFileAndSecondOrch() throws {
            try project.write("Procfile", "web: exec sleep 1000\n")
            // A stale state file (its pid is dead) is reported and removed.
            let stateDir = project.path + "/run/orch"
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
            let orch1 = try startOrch("web: exec sleep 1000\n", started: ["web"])
            let path = try #require(stateFile())
            #expect(Files.permissions(path) == 0o600)
            #expect(Files.permissions(stateDir) == 0o700)

            let second = try runToEnd(["up"], in: project.path, environment: env)
            #expect(second.code == 2)
            #expect(second.err.contains("orch is already running for"), "\(second.err)")
            #expect(second.err.contains("pid \(orch1.pid)"), "\(second.err)")

            orch1.signal(SIGKILL)  // leaves its state file behind
            _ = orch1.waitForExit()
            #expect(stateFile() != nil)
            let stale = try ctl(["ps"])
            #expect(stale.code == 1)
            #expect(stale.err.contains("no orch is running for"), "\(stale.err)")
            #expect(stale.err.contains("stale"), "\(stale.err)")
            #expect(stateFile() == nil)
            // The children of the killed orch got PDEATHSIG; wait for them to go.
            let orch2 = try startOrch("web: exec sleep 1000\n", started: ["web"])
            try #expect(ctl(["ps"]).code == 0)
            orch2.signal(SIGTERM)
            #expect(orch2.waitForExit() == 0)
        }

        @Test func authIsRequiredAndBadRequestsGetErrors() throws {
            let run = try startOrch("web: exec sleep 1000\n", started: ["web"])
            let (port, token) = try endpoint()

            // No auth first: an error, then the connection is closed.
            var client = try RawClient(port: port)
            client.send(#"{"id":1,"method":"status"}"# + "\n")
            try #expect(#require(client.readLine()).contains("not authenticated"))
            #expect(client.readLine() == nil, "closed after refusing")

            // A wrong token.
            client = try RawClient(port: port)
            client.send(#"{"id":1,"method":"auth","params":{"token":"0000"}}"# + "\n")
            try #expect(#require(client.readLine()).contains("-32001"))
            #expect(client.readLine() == nil)

            // The right token; then malformed, unknown and interleaved requests on one connection.
            client = try RawClient(port: port)
            client.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
            try #expect(#require(client.readLine()).contains(#""ok":true"#))
            client.send("this is not json\n")
            try #expect(#require(client.readLine()).contains("-32700"))
            client.send(#"{"id":2,"method":"frobnicate"}"# + "\n")
            try #expect(#require(client.readLine()).contains("unknown method 'frobnicate'"))
            client.send(#"{"id":3,"method":"restart","params":{}}"# + "\n")
            try #expect(#require(client.readLine()).contains("-32602"))
            // Two requests in one write, and one split across writes.
            client.send(#"{"id":4,"method":"status"}"# + "\n" + #"{"id":5,"met"#)
            client.send(#"hod":"status"}"# + "\n")
            let four = try #require(client.readLine())
            let five = try #require(client.readLine())
            #expect(four.contains(#""id":4"#) && four.contains(#""name":"web""#), "\(four)")
            #expect(five.contains(#""id":5"#), "\(five)")

            // Over 1 MiB without a newline: an error and the connection is closed.
            let big = try RawClient(port: port)
            big.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
            _ = big.readLine()
            big.send(String(repeating: "x", count: (1 << 20) + 10))
            try #expect(#require(big.readLine()).contains("over 1 MiB"))
            #expect(big.readLine() == nil)

            #expect(run.process.isRunning)
            try #expect(ctl(["ps"]).code == 0, "orch still serves after all that")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }

        @Test func ctlFindsAnOrchStartedWithAnotherConfigFile() throws {
            try project.write("Procfile.dev", "web: exec sleep 1000\n")
            try project.write("sub/keep", "")
            let run = try Running(["up", "-f", "Procfile.dev"], in: project.path, environment: env)
            orch = run
            #expect(run.waitFor("web started") { r in r.stdout.contains("web started") && self.stateFile() != nil })
            for directory in [project.path, project.path + "/sub"] {
                let result = try ctl(["ps"], in: directory)
                #expect(result.code == 0, "\(result.err)")
                #expect(result.out.contains("web   running") || result.out.contains("web  running"), "\(result.out)")
            }
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }

        @Test func ctlSaysWhenThereIsNothingToDo() throws {
            let run = try startOrch("web: echo $$ > web.pid; exec sleep 1000\n", started: ["web"])
            var result = try ctl(["start", "web"])
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out == "web: already running\n")
            result = try ctl(["stop", "web"])
            #expect(result.out == "stopping: web\n")
            #expect(run.waitFor("web stopped") { _ in (try? self.ctl(["ps"]).out.contains("web   stopped") || self.ctl(["ps"]).out.contains("web  stopped")) ?? false })
            result = try ctl(["stop", "web"])
            #expect(result.out == "web: already stopped\n")
            result = try ctl(["signal", "web", "HUP"])
            #expect(result.code == 1)
            #expect(result.err == ("orch: web is not running: no signal sent\n"))

            // Valid JSON with bad params: an invalid-params error that keeps the id.
            let (port, token) = try endpoint()
            let client = try RawClient(port: port)
            client.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
            _ = client.readLine()
            client.send(#"{"id":7,"method":"status","params":{"names":5}}"# + "\n")
            let answer = try #require(client.readLine())
            #expect(answer.contains(#""id":7"#) && answer.contains("-32602"), "\(answer)")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }

        @Test func unixSocketAndExplicitControlAddress() throws {
            try project.write("orch.yaml", """
            control: { socket: ctl.sock }
            processes:
              web: { command: exec sleep 1000 }
            """)
            let run = try Running(["up"], in: project.path, environment: env)
            orch = run
            #expect(run.waitFor("started") { _ in self.stateFile() != nil && Files.exists(self.project.path + "/ctl.sock") })
            #expect(Files.permissions(project.path + "/ctl.sock") == 0o600)
            let state = try #require(stateFile())
            var result = try runToEnd(["ctl", "ps", "--control", "unix:" + project.path + "/ctl.sock", "--token-file", state], in: "/", environment: env)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out.contains("web   running") || result.out.contains("web  running"), "\(result.out)")
            let (port, token) = try endpoint()
            result = try runToEnd(["ctl", "ps", "--control", "127.0.0.1:\(port)"], in: "/", environment: env.merging(["ORCH_TOKEN": token]) { $1 })
            #expect(result.code == 0, "\(result.err)")
            result = try runToEnd(["ctl", "ps", "--control", "127.0.0.1:\(port)"], in: "/", environment: env.merging(["ORCH_TOKEN": "wrong"]) { $1 })
            #expect(result.code == 1)
            #expect(result.err.contains("not authenticated"), "\(result.err)")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            #expect(!(Files.exists(project.path + "/ctl.sock")), "the socket is removed on exit")
        }

        @Test func aClientThatNeverReadsDoesNotStallOutput() throws {
            // 100 MB of log lines while a following client never reads.
            let lines = 1_000_000
            let run = try startOrch("""
            gate: echo $$ > gate.pid; exec sleep 1000
            spam: while [ ! -f go ]; do sleep 0.02; done; awk 'BEGIN { for (i = 0; i < \(lines); i++) printf "%07d %s\\n", i, "0123456789012345678901234567890123456789012345678901234567890123456789012345678901" }'; echo spam-done; exec sleep 1000
            """, started: ["gate", "spam"])
            let (port, token) = try endpoint()
            let lazy = try RawClient(port: port)
            lazy.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
            _ = lazy.readLine()
            lazy.send(#"{"id":2,"method":"logs","params":{"follow":true}}"# + "\n")
            #expect(eventually(timeout: 10) { (try? self.ctl(["ps"]).code) == 0 })
            try project.write("go", "")
            #expect(run.waitFor("all 100 MB", timeout: 180) { $0.stdout.hasSuffix("spam-done\n") || $0.stdout.contains("spam-done") })
            try #expect(ctl(["ps"]).code == 0, "the control port still answers")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            let count = run.stdout.split(separator: "\n").filter { $0.hasPrefix("spam | ") }.count
            #expect(count == lines + 1)
            // orch dropped the client once its backlog passed the bound: reading now
            // drains what the socket held and then meets the end.
            var received = 0
            while let line = lazy.readLine() { received += line.count + 1 }
            #expect(received < 90 * lines / 2, "the lazy client was cut off, not fed everything")
        }

        @Test func connectionsAreBoundedAt64() throws {
            let run = try startOrch("web: exec sleep 1000\n", started: ["web"])
            let (port, token) = try endpoint()
            var clients: [RawClient] = []
            for _ in 0..<64 {
                let client = try RawClient(port: port)
                client.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
                try #expect(#require(client.readLine()).contains(#""ok":true"#))
                clients.append(client)
            }
            let extra = try RawClient(port: port)
            try #expect(#require(extra.readLine()).contains("too many control connections (64)"))
            #expect(extra.readLine() == nil)
            clients.removeLast()  // closing one makes room
            #expect(eventually(timeout: 10) { (try? self.ctl(["ps"]).code) == 0 })
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }
    }
}

/// A raw protocol client for malformed and adversarial requests.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        fd = try Socket.connectBlocking(host: "127.0.0.1", port: port)
    }

    deinit { Descriptor.close(fd) }

    func send(_ text: String) {
        Descriptor.writeAll(fd, Array(text.utf8))
    }

    /// The next line, or nil at end of stream (or after 10 s of silence).
    func readLine() -> String? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            guard case let .bytes(n)? = try? Descriptor.read(fd, into: &chunk) else { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
        return nil
    }
}
