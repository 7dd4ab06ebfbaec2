import Foundation
import OrchSystem
import XCTest

/// The control port and `orch ctl`, against a real running orch.
final class ControlTests: ProjectTestCase {
    var orch: Running?

    override func tearDown() {
        orch?.ensureStopped()
        super.tearDown()
    }

    /// Starts `orch up` and waits until its state file exists and every process started.
    func startOrch(_ procfile: String, arguments: [String] = [], started: [String]) throws -> Running {
        try project.write("Procfile", procfile)
        let run = try Running(["up", "--timeout", "2s"] + arguments, in: project.path, environment: env)
        orch = run
        XCTAssertTrue(run.waitFor("processes started") { r in started.allSatisfy { r.stdout.contains("\($0) started (pid") } && self.stateFile() != nil })
        return run
    }

    func stateFile() -> String? {
        let dir = project.path + "/run/orch"
        guard let name = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.first(where: { $0.hasSuffix(".json") }) else { return nil }
        return dir + "/" + name
    }

    func endpoint() throws -> (port: UInt16, token: String) {
        let data = try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(stateFile())))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (UInt16(try XCTUnwrap(object["port"] as? Int)), try XCTUnwrap(object["token"] as? String))
    }

    func ctl(_ arguments: [String], in directory: String? = nil) throws -> (code: Int32?, out: String, err: String) {
        try runToEnd(["ctl"] + arguments, in: directory ?? project.path, environment: env)
    }

    func testPsStartStopRestartSignalAndDown() throws {
        let run = try startOrch("""
        web: echo $$ > web.pid; trap 'echo got hup' HUP; while true; do sleep 0.05; done
        worker: echo $$ > worker.pid; exec sleep 1000
        """, started: ["web", "worker"])
        var result = try ctl(["ps"])
        XCTAssertEqual(result.code, 0, result.err)
        let header = try XCTUnwrap(result.out.split(separator: "\n").first)
        XCTAssertTrue(header.hasPrefix("NAME    STATE    PID"), result.out)
        XCTAssertTrue(result.out.contains("web     running"), result.out)
        XCTAssertTrue(result.out.contains("5100"), result.out)

        // From a subdirectory, with --json.
        try project.write("sub/keep", "")
        result = try ctl(["ps", "--json"], in: project.path + "/sub")
        XCTAssertEqual(result.code, 0, result.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(json["processes"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["name"] as? String }, ["web", "worker"])
        XCTAssertEqual(rows.first?["state"] as? String, "running")

        result = try ctl(["restart", "wrker"])
        XCTAssertEqual(result.code, 1)
        XCTAssertEqual(result.err, "orch: unknown process 'wrker' (did you mean 'worker'?)\n")

        let oldWorker = try XCTUnwrap(project.read("worker.pid")).trimmingCharacters(in: .whitespacesAndNewlines)
        result = try ctl(["restart", "worker"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(run.waitFor("worker restarted") { _ in
            (self.project.read("worker.pid")?.trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 != oldWorker } ?? false
        })
        XCTAssertFalse(isAlive(Int32(oldWorker)!), "the old instance is gone before the new one runs")

        result = try ctl(["signal", "web", "HUP"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(run.waitForLine(containing: "web    | got hup"))

        result = try ctl(["stop", "worker"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(run.waitFor("worker stopped") { _ in (try? self.ctl(["ps"]).out.contains("worker  stopped")) ?? false })
        XCTAssertTrue(run.process.isRunning, "a process stopped on request does not stop orch")

        result = try ctl(["start", "worker"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(run.waitFor("worker running again") { _ in (try? self.ctl(["ps"]).out.contains("worker  running")) ?? false })

        let pids = project.recordedPids()
        result = try ctl(["down"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertEqual(run.waitForExit(), 0)
        assertAllGone(pids)
        XCTAssertNil(stateFile(), "the state file is removed on exit")
        result = try ctl(["ps"])
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.err.hasPrefix("orch: no orch is running for "), result.err)
    }

    func testScaleLogsAndShortForms() throws {
        let run = try startOrch("""
        web: echo "hello from $ORCH_PROCESS_NAME"; for i in 1 2 3; do echo "line $i"; done; exec sleep 1000
        """, started: ["web"])
        XCTAssertTrue(run.waitForLine(containing: "line 3"))
        var result = try ctl(["logs", "web", "-n", "2"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertEqual(result.out, "web  | line 2\nweb  | line 3\n")
        result = try ctl(["scale", "web=3"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(run.waitForLine(containing: "hello from web.3"))
        result = try runToEnd(["ps"], in: project.path, environment: env)
        XCTAssertEqual(result.code, 0)
        XCTAssertTrue(result.out.contains("web.2") && result.out.contains("web.3"), result.out)
        XCTAssertTrue(result.out.contains("5002"), result.out)
        result = try ctl(["scale", "web=1"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(run.waitFor("scaled down") { _ in !((try? self.ctl(["ps"]).out.contains("web.3")) ?? true) })
        result = try runToEnd(["restart", "web"], in: project.path, environment: env)
        XCTAssertEqual(result.code, 0, result.err)
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
    }

    func testLogsFollowAndEventsStream() throws {
        let run = try startOrch("""
        web: echo $$ > web.pid; while [ ! -f go ]; do sleep 0.02; done; echo "after go"; exec sleep 1000
        """, started: ["web"])
        let follower = try Running(["ctl", "logs", "-f"], in: project.path, environment: env)
        defer { follower.ensureStopped() }
        let events = try Running(["ctl", "events"], in: project.path, environment: env)
        defer { events.ensureStopped() }
        XCTAssertTrue(events.waitFor("events subscribed") { $0.stderr.contains("following events") })
        try project.write("go", "")
        XCTAssertTrue(follower.waitForLine(containing: "web  | after go"))
        XCTAssertEqual(try ctl(["restart", "web"]).code, 0)
        XCTAssertTrue(events.waitForLine(containing: "web stopping (SIGTERM)"))
        XCTAssertTrue(events.waitForLine(containing: "web started (pid"))
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
        XCTAssertNotNil(follower.waitForExit(), "followers end when orch goes away")
        XCTAssertNotNil(events.waitForExit())
    }

    func testReloadAppliesTheDiff() throws {
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
        XCTAssertTrue(run.waitFor("all started") { r in ["keep", "change", "remove"].allSatisfy { r.stdout.contains("\($0) started") } && self.stateFile() != nil })
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
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertEqual(result.out, "restarted: change\nstarted: added\nstopped: remove\nunchanged: keep\n")
        XCTAssertTrue(run.waitForLine(containing: "change v2"))
        XCTAssertTrue(run.waitForLine(containing: "added  | added") || run.stdout.contains("added | added"))
        XCTAssertTrue(run.waitForLine(containing: "remove exited with signal TERM"))
        XCTAssertEqual(run.stdout.components(separatedBy: "keep started").count, 2, "keep is left alone")
        // A broken config changes nothing.
        try project.write("orch.yaml", "processes:\n  keep:\n    comand: x\n")
        let broken = try ctl(["reload"])
        XCTAssertEqual(broken.code, 1)
        XCTAssertTrue(broken.err.contains("reload failed, nothing changed"), broken.err)
        XCTAssertTrue(broken.err.contains("did you mean 'command'"), broken.err)
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
    }

    func testStateFilePermissionsStaleFileAndSecondOrch() throws {
        try project.write("Procfile", "web: exec sleep 1000\n")
        // A stale state file (its pid is dead) is reported and removed.
        let stateDir = project.path + "/run/orch"
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let orch1 = try startOrch("web: exec sleep 1000\n", started: ["web"])
        let path = try XCTUnwrap(stateFile())
        XCTAssertEqual(Files.permissions(path), 0o600)
        XCTAssertEqual(Files.permissions(stateDir), 0o700)

        let second = try runToEnd(["up"], in: project.path, environment: env)
        XCTAssertEqual(second.code, 2)
        XCTAssertTrue(second.err.contains("orch is already running for"), second.err)
        XCTAssertTrue(second.err.contains("pid \(orch1.pid)"), second.err)

        orch1.signal(SIGKILL)  // leaves its state file behind
        _ = orch1.waitForExit()
        XCTAssertNotNil(stateFile())
        let stale = try ctl(["ps"])
        XCTAssertEqual(stale.code, 1)
        XCTAssertTrue(stale.err.contains("no orch is running for"), stale.err)
        XCTAssertTrue(stale.err.contains("stale"), stale.err)
        XCTAssertNil(stateFile())
        // The children of the killed orch got PDEATHSIG; wait for them to go.
        let orch2 = try startOrch("web: exec sleep 1000\n", started: ["web"])
        XCTAssertEqual(try ctl(["ps"]).code, 0)
        orch2.signal(SIGTERM)
        XCTAssertEqual(orch2.waitForExit(), 0)
    }

    func testAuthIsRequiredAndBadRequestsGetErrors() throws {
        let run = try startOrch("web: exec sleep 1000\n", started: ["web"])
        let (port, token) = try endpoint()

        // No auth first: an error, then the connection is closed.
        var client = try RawClient(port: port)
        client.send(#"{"id":1,"method":"status"}"# + "\n")
        XCTAssertTrue(try XCTUnwrap(client.readLine()).contains("not authenticated"))
        XCTAssertNil(client.readLine(), "closed after refusing")

        // A wrong token.
        client = try RawClient(port: port)
        client.send(#"{"id":1,"method":"auth","params":{"token":"0000"}}"# + "\n")
        XCTAssertTrue(try XCTUnwrap(client.readLine()).contains("-32001"))
        XCTAssertNil(client.readLine())

        // The right token; then malformed, unknown and interleaved requests on one connection.
        client = try RawClient(port: port)
        client.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
        XCTAssertTrue(try XCTUnwrap(client.readLine()).contains(#""ok":true"#))
        client.send("this is not json\n")
        XCTAssertTrue(try XCTUnwrap(client.readLine()).contains("-32700"))
        client.send(#"{"id":2,"method":"frobnicate"}"# + "\n")
        XCTAssertTrue(try XCTUnwrap(client.readLine()).contains("unknown method 'frobnicate'"))
        client.send(#"{"id":3,"method":"restart","params":{}}"# + "\n")
        XCTAssertTrue(try XCTUnwrap(client.readLine()).contains("-32602"))
        // Two requests in one write, and one split across writes.
        client.send(#"{"id":4,"method":"status"}"# + "\n" + #"{"id":5,"met"#)
        client.send(#"hod":"status"}"# + "\n")
        let four = try XCTUnwrap(client.readLine())
        let five = try XCTUnwrap(client.readLine())
        XCTAssertTrue(four.contains(#""id":4"#) && four.contains(#""name":"web""#), four)
        XCTAssertTrue(five.contains(#""id":5"#), five)

        // Over 1 MiB without a newline: an error and the connection is closed.
        let big = try RawClient(port: port)
        big.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
        _ = big.readLine()
        big.send(String(repeating: "x", count: (1 << 20) + 10))
        XCTAssertTrue(try XCTUnwrap(big.readLine()).contains("over 1 MiB"))
        XCTAssertNil(big.readLine())

        XCTAssertTrue(run.process.isRunning)
        XCTAssertEqual(try ctl(["ps"]).code, 0, "orch still serves after all that")
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
    }

    func testCtlFindsAnOrchStartedWithAnotherConfigFile() throws {
        try project.write("Procfile.dev", "web: exec sleep 1000\n")
        try project.write("sub/keep", "")
        let run = try Running(["up", "-f", "Procfile.dev"], in: project.path, environment: env)
        orch = run
        XCTAssertTrue(run.waitFor("web started") { r in r.stdout.contains("web started") && self.stateFile() != nil })
        for directory in [project.path, project.path + "/sub"] {
            let result = try ctl(["ps"], in: directory)
            XCTAssertEqual(result.code, 0, result.err)
            XCTAssertTrue(result.out.contains("web   running") || result.out.contains("web  running"), result.out)
        }
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
    }

    func testCtlSaysWhenThereIsNothingToDo() throws {
        let run = try startOrch("web: echo $$ > web.pid; exec sleep 1000\n", started: ["web"])
        var result = try ctl(["start", "web"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertEqual(result.out, "web: already running\n")
        result = try ctl(["stop", "web"])
        XCTAssertEqual(result.out, "stopping: web\n")
        XCTAssertTrue(run.waitFor("web stopped") { _ in (try? self.ctl(["ps"]).out.contains("web   stopped") || self.ctl(["ps"]).out.contains("web  stopped")) ?? false })
        result = try ctl(["stop", "web"])
        XCTAssertEqual(result.out, "web: already stopped\n")
        result = try ctl(["signal", "web", "HUP"])
        XCTAssertEqual(result.code, 1)
        XCTAssertEqual(result.err, "orch: web is not running: no signal sent\n")

        // Valid JSON with bad params: an invalid-params error that keeps the id.
        let (port, token) = try endpoint()
        let client = try RawClient(port: port)
        client.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
        _ = client.readLine()
        client.send(#"{"id":7,"method":"status","params":{"names":5}}"# + "\n")
        let answer = try XCTUnwrap(client.readLine())
        XCTAssertTrue(answer.contains(#""id":7"#) && answer.contains("-32602"), answer)
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
    }

    func testUnixSocketAndExplicitControlAddress() throws {
        try project.write("orch.yaml", """
        control: { socket: ctl.sock }
        processes:
          web: { command: exec sleep 1000 }
        """)
        let run = try Running(["up"], in: project.path, environment: env)
        orch = run
        XCTAssertTrue(run.waitFor("started") { _ in self.stateFile() != nil && Files.exists(self.project.path + "/ctl.sock") })
        XCTAssertEqual(Files.permissions(project.path + "/ctl.sock"), 0o600)
        let state = try XCTUnwrap(stateFile())
        var result = try runToEnd(["ctl", "ps", "--control", "unix:" + project.path + "/ctl.sock", "--token-file", state], in: "/", environment: env)
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("web   running") || result.out.contains("web  running"), result.out)
        let (port, token) = try endpoint()
        result = try runToEnd(["ctl", "ps", "--control", "127.0.0.1:\(port)"], in: "/", environment: env.merging(["ORCH_TOKEN": token]) { $1 })
        XCTAssertEqual(result.code, 0, result.err)
        result = try runToEnd(["ctl", "ps", "--control", "127.0.0.1:\(port)"], in: "/", environment: env.merging(["ORCH_TOKEN": "wrong"]) { $1 })
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.err.contains("not authenticated"), result.err)
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
        XCTAssertFalse(Files.exists(project.path + "/ctl.sock"), "the socket is removed on exit")
    }

    func testAClientThatNeverReadsDoesNotStallOutput() throws {
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
        XCTAssertTrue(eventually(timeout: 10) { (try? self.ctl(["ps"]).code) == 0 })
        try project.write("go", "")
        XCTAssertTrue(run.waitFor("all 100 MB", timeout: 180) { $0.stdout.hasSuffix("spam-done\n") || $0.stdout.contains("spam-done") })
        XCTAssertEqual(try ctl(["ps"]).code, 0, "the control port still answers")
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
        let count = run.stdout.split(separator: "\n").filter { $0.hasPrefix("spam | ") }.count
        XCTAssertEqual(count, lines + 1)
        // orch dropped the client once its backlog passed the bound: reading now
        // drains what the socket held and then meets the end.
        var received = 0
        while let line = lazy.readLine() { received += line.count + 1 }
        XCTAssertLessThan(received, 90 * lines / 2, "the lazy client was cut off, not fed everything")
    }

    func testConnectionsAreBoundedAt64() throws {
        let run = try startOrch("web: exec sleep 1000\n", started: ["web"])
        let (port, token) = try endpoint()
        var clients: [RawClient] = []
        for _ in 0..<64 {
            let client = try RawClient(port: port)
            client.send(#"{"id":1,"method":"auth","params":{"token":""# + token + #""}}"# + "\n")
            XCTAssertTrue(try XCTUnwrap(client.readLine()).contains(#""ok":true"#))
            clients.append(client)
        }
        let extra = try RawClient(port: port)
        XCTAssertTrue(try XCTUnwrap(extra.readLine()).contains("too many control connections (64)"))
        XCTAssertNil(extra.readLine())
        clients.removeLast()  // closing one makes room
        XCTAssertTrue(eventually(timeout: 10) { (try? self.ctl(["ps"]).code) == 0 })
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
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
