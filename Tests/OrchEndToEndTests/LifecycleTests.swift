import Foundation
import Testing

extension EndToEnd {
    /// orch.yaml's lifecycle as a user sees it: dependencies and readiness probes, restart
    /// policies and backoff, restarts that wait for the old process group, the exit rules
    /// of `orch up` and `orch run`, shutdown order and config errors.
    ///
    /// Every test has its own project directory; a test whose children bind or probe
    /// a port takes it from the kernel (`freePort`), never a fixed number, which
    /// something else on a shared machine may hold. Every child writes `NAME.pid` so
    /// `tearDown` and the tests can check that nothing outlives orch.
    final class LifecycleTests: ProjectTestCase {

        // MARK: - Dependencies and readiness

        @Test func jobWaitsForReadyDatabaseAndWebWaitsForJob() throws {
            let port = try freePort(headroom: 200)
            try project.write("orch.yaml", """
            processes:
              db:
                command: echo $$ > db.pid; sleep 0.5; exec python3 -m http.server $PORT --bind 127.0.0.1
                ready: {tcp: $PORT, interval: 50ms}
              migrate:
                command: echo "migrating against $DB_PORT"; sleep 0.2; echo migrated
                kind: job
                env: {DB_PORT: "\(port)"}
                depends_on: {db: ready}
              web:
                command: echo $$ > web.pid; echo "web on $PORT"; exec sleep 60
                depends_on: {migrate: succeeded, db: ready}
            """)
            let run = try Running(["up", "-p", String(port)], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "web     | web on \(port + 200)"))
            let lines = normalized(run.lines)
            assertOrder(lines, [
                "orch | db started (pid ",
                "orch | db is ready",
                "orch | migrate started (pid ",
                "migrate | migrating against \(port)",
                "migrate | migrated",
                "orch | migrate exited with exit code 0",
                "orch | web started (pid ",
                "web | web on \(port + 200)",
            ])
            #expect(lines.filter { $0.contains("started (pid") }.count == 3, "\(lines)")
            #expect(!(lines.contains { $0.contains("stopping") }), "a job that succeeds just ends: \(lines)")
            #expect(isAlive(pid("web")), "web keeps running after migrate ended")
            let pids = project.recordedPids()
            #expect(pids.count == 2)
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
        }

        @Test func httpExecAndLogProbesGateDependents() throws {
            // Each service becomes ready some time after it starts; `after` needs all three.
            try project.write("orch.yaml", """
            processes:
              api:
                command: echo $$ > api.pid; sleep 0.3; exec python3 -m http.server $PORT --bind 127.0.0.1
                ready: {http: "http://127.0.0.1:$PORT/", interval: 50ms}
              flagger:
                command: echo $$ > flagger.pid; sleep 0.3; touch flag; echo flag written; exec sleep 60
                ready: {exec: "test -f flag", interval: 50ms}
              logger:
                command: echo $$ > logger.pid; echo booting; sleep 0.3; echo "server listening on 1234"; exec sleep 60
                ready: {log: "listening"}
              after:
                command: echo $$ > after.pid; echo "after started"; exec sleep 60
                depends_on: {api: ready, flagger: ready, logger: ready}
            """)
            let run = try Running(["up", "-p", String(try freePort(headroom: 300))], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "after   | after started"))
            let lines = normalized(run.lines)
            // The probe may pass before orch has read "flag written" (the file exists first).
            #expect(lines.contains("flagger | flag written"), "\(lines)")
            assertOrder(lines, ["orch | flagger is ready", "orch | after started (pid "])
            assertOrder(lines, ["logger | booting", "logger | server listening on 1234", "orch | logger is ready", "orch | after started (pid "])
            assertOrder(lines, ["orch | api is ready", "orch | after started (pid "])
            #expect(run.waitFor("the http probe's request in api's log") { $0.stdout.contains("\"GET / HTTP/1.0\" 200") })
            let pids = project.recordedPids()
            #expect(pids.count == 4)
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
        }

        @Test func tcpProbeOnIPv6Loopback() throws {
            try project.write("orch.yaml", """
            processes:
              v6:
                command: echo $$ > v6.pid; sleep 0.2; exec python3 -m http.server $PORT --bind ::1
                ready: {tcp: "[::1]:$PORT", interval: 50ms}
              after:
                command: echo $$ > after.pid; echo "after started"; exec sleep 60
                depends_on: {v6: ready}
            """)
            let run = try Running(["up", "-p", String(try freePort(ipv6: true, headroom: 100))], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "after | after started"))
            assertOrder(normalized(run.lines), ["orch | v6 is ready", "orch | after started (pid "])
            let pids = project.recordedPids()
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
        }

        @Test func failedJobFailsItsDependentsAndStopsTheStack() throws {
            try project.write("orch.yaml", """
            processes:
              db:
                command: echo $$ > db.pid; echo up; exec sleep 60
                ready: {log: up}
              migrate:
                command: echo "migration 42 failed"; exit 1
                kind: job
                depends_on: {db: ready}
              web:
                command: touch web.started; exec sleep 60
                depends_on: {migrate: succeeded}
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 1)
            let lines = normalized(run.lines)
            assertOrder(lines, [
                "migrate | migration 42 failed",
                "orch | migrate exited with exit code 1",
                "orch | web: not started: migrate failed with exit code 1",
                "orch | db stopping (SIGTERM)",
                "orch | db exited with signal TERM",
            ])
            #expect(project.read("web.started") == nil, "web must never start")
            assertAllGone(project.recordedPids())
        }

        // MARK: - Restarts

        @Test func crashLoopBacksOffAndGivesUp() throws {
            try project.write("orch.yaml", """
            processes:
              crash:
                command: echo $$ >> crash.pids; echo "crashing"; exit 7
                restart: always
                backoff: {initial: 50ms, max: 200ms}
                max_restarts: 3
              bystander:
                command: echo $$ > bystander.pid; exec sleep 60
            """)
            let started = Date()
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 7)
            let elapsed = Date().timeIntervalSince(started)
            let lines = normalized(run.lines)
            #expect((lines.filter { $0 == "crash | crashing" }.count) == 4, "one run and three restarts: \(lines)")
            #expect((lines.filter { $0 == "orch | crash exited with exit code 7" }.count) == 4, "\(lines)")
            let delays = lines.compactMap { line -> Double? in
                guard line.hasPrefix("orch | crash restarting in ") else { return nil }
                return milliseconds(String(line.dropFirst("orch | crash restarting in ".count)))
            }
            #expect(delays.count == 3, "\(lines)")
            if delays.count == 3 {
                // 50ms, 100ms, 200ms (capped), each ±10% jitter.
                #expect((45...55).contains(delays[0]), "\(delays)")
                #expect((90...110).contains(delays[1]), "\(delays)")
                #expect((180...220).contains(delays[2]), "\(delays)")
                #expect(elapsed >= delays.reduce(0, +) / 1000, "orch waited out the backoff")
            }
            assertOrder(lines, [
                "orch | crash gave up after 3 restarts",
                "orch | bystander stopping (SIGTERM)",
                "orch | bystander exited with signal TERM",
            ])
            #expect(lines.last == "orch | bystander exited with signal TERM")
            let crashPids = (project.read("crash.pids") ?? "").split(separator: "\n").compactMap { Int32($0) }
            #expect(Set(crashPids).count == 4, "every restart is a new process")
            assertAllGone(project.recordedPids() + crashPids)
        }

        @Test func restartWaitsForTheOldGroupToReleaseItsPort() throws {
            // Run 1 binds the port, hands the socket to a child in its process group and
            // exits 1. After SIGTERM the child holds the port until the test, having seen
            // that orch has not started run 2, lets it go through a FIFO.
            // Run 2 must bind the same port: it can only if orch waited for the old group.
            try project.write("server.py", """
            import os, signal, socket, sys
            port = int(sys.argv[1])
            run = len([n for n in os.listdir(".") if n.startswith("run.")]) + 1
            open("run.%d" % run, "w").close()
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # no SO_REUSEADDR
            try:
                s.bind(("127.0.0.1", port))
            except OSError as e:
                print("run %d: bind failed: %s" % (run, e), flush=True)
                sys.exit(3)
            s.listen(5)
            print("run %d: bound" % run, flush=True)
            if run > 1:
                open("server.pid", "w").write(str(os.getpid()))
                while True:
                    signal.pause()
            ready_read, ready_write = os.pipe()
            if os.fork() == 0:
                def slow_exit(signo, frame):
                    print("holder: got TERM", flush=True)
                    open("release").read()  # a FIFO the test opens
                    print("holder: releasing the port", flush=True)
                    os._exit(0)
                signal.signal(signal.SIGTERM, slow_exit)
                print("holder: holding the port", flush=True)
                open("holder.pid", "w").write(str(os.getpid()))
                os.write(ready_write, b"x")
                while True:
                    signal.pause()
            os.read(ready_read, 1)  # the holder has written its pid
            print("run 1: exiting with 1", flush=True)
            sys.exit(1)
            """)
            try project.write("orch.yaml", """
            processes:
              server:
                command: exec python3 server.py $PORT
                restart: on-failure
                backoff: {initial: 10ms}
                stop: {timeout: 120s}
            """)
            #expect(mkfifo(project.path + "/release", 0o600) == 0)
            let run = try Running(["up", "-p", String(try freePort())], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "server | holder: got TERM"))
            #expect(!run.stdout.contains("run 2"), "orch started run 2 while the old group held the port: \(run.stdout)")
            let release = open(project.path + "/release", O_WRONLY)
            #expect(release >= 0)
            close(release)
            #expect(run.waitForLine(containing: "server | run 2: bound"))
            let lines = normalized(run.lines)
            #expect(!(run.stdout.contains("bind failed")), "\(run.stdout)")
            assertOrder(lines, [
                "server | run 1: bound",
                "server | holder: holding the port",
                "server | run 1: exiting with 1",
                "orch | server exited with exit code 1",
                "server | holder: got TERM",
                "server | holder: releasing the port",
                "orch | server restarting in ",
                "server | run 2: bound",
            ])
            // The second "started" comes after the holder let go.
            let startedLines = lines.indices.filter { lines[$0].hasPrefix("orch | server started (pid ") }
            let released = lines.firstIndex(of: "server | holder: releasing the port")
            #expect(startedLines.count == 2, "\(lines)")
            if let second = startedLines.last, let released { #expect(second > released, "\(lines)") }
            let pids = project.recordedPids()
            #expect(pids.count == 2, "holder and the second server")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
        }

        @Test func tcpReadyProcessWaitsForItsPortToBeFree() throws {
            // Someone else holds the port: the probe would pass on their listener, and the
            // process would fail to bind. orch waits until the port is free. The holder
            // takes a port the kernel chooses and says which.
            let holder = try Running(["-c", """
            import signal, socket
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(5)
            print("listening on %d" % s.getsockname()[1], flush=True)
            signal.pause()  # until the test ends it
            """], in: project.path, executable: "/usr/bin/python3")
            defer { holder.ensureStopped() }
            #expect(holder.waitForLine(containing: "\n"))
            let port = try #require(holder.stdout.split(separator: "\n").first.flatMap { $0.hasPrefix("listening on ") ? UInt16($0.dropFirst("listening on ".count)) : nil }, "\(holder.stdout)")
            try project.write("orch.yaml", """
            processes:
              svc:
                command: echo $$ > svc.pid; exec python3 -m http.server $PORT --bind 127.0.0.1
                ready: {tcp: $PORT, interval: 50ms}
            """)
            let run = try Running(["up", "-p", String(port)], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "orch | svc waiting for port \(port) to be free"))
            #expect(!(run.stdout.contains("svc started")), "\(run.stdout)")
            #expect(!(run.stdout.contains("svc is ready")), "\(run.stdout)")
            holder.signal(SIGTERM)
            #expect(holder.waitForExit() != nil)
            #expect(run.waitForLine(containing: "orch | svc is ready"))
            let lines = normalized(run.lines)
            assertOrder(lines, ["orch | svc waiting for port \(port) to be free", "orch | svc started (pid ", "orch | svc is ready"])
            #expect(lines.filter { $0.contains("waiting for port") }.count == 1, "announced once: \(lines)")
            #expect(!(run.stdout.contains("Address already in use")), "\(run.stdout)")
            let pids = project.recordedPids()
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
        }

        @Test func serviceThatNeverBecomesReadyEndsAfterItsRetries() throws {
            try project.write("orch.yaml", """
            processes:
              svc:
                command: echo $$ > svc.pid; exec sleep 60
                ready: {exec: "test -f never", retries: 2, interval: 50ms}
                restart: no
              web:
                command: touch web.started; exec sleep 60
                depends_on: {svc: ready}
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 1, "a service that never became ready is a failure, not a SIGTERM")
            let lines = normalized(run.lines)
            assertOrder(lines, [
                "orch | svc did not become ready after 3 checks: check exited with exit code 1",
                "orch | svc stopping (SIGTERM)",
                "orch | svc exited with signal TERM",
            ])
            #expect(lines.contains("orch | web: not started: svc failed with exit code 1"), "\(lines)")
            #expect(project.read("web.started") == nil)
            assertAllGone(project.recordedPids())
        }

        // MARK: - Exit rules of orch up

        @Test func optionalServiceAndSucceededJobsDoNotStopTheStack() throws {
            try project.write("orch.yaml", """
            processes:
              sidecar:
                command: echo "sidecar gives up"; exit 4
                optional: true
                restart: no
              seed:
                command: echo seeded
                kind: job
              web:
                command: echo $$ > web.pid; echo serving; while [ ! -f web.done ]; do sleep 0.02; done; echo "web finished"
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitFor("sidecar and seed to end") {
                $0.stdout.contains("sidecar exited with exit code 4") && $0.stdout.contains("seed exited with exit code 0") && $0.stdout.contains("web     | serving")
            })
            #expect(run.process.isRunning, "orch keeps running")
            #expect(isAlive(pid("web")), "web keeps running")
            #expect(!(run.stdout.contains("stopping")), "\(run.stdout)")
            try project.write("web.done", "")
            #expect(run.waitForExit() == 0)
            let lines = normalized(run.lines)
            #expect(lines.last == "orch | web exited with exit code 0", "\(lines)")
            #expect(!(lines.contains { $0.contains("stopping") }), "everything ended on its own: \(lines)")
            assertAllGone(project.recordedPids())
        }

        @Test func whenEveryProcessEndsOnItsOwnOrchExitsWithTheFirstFailure() throws {
            // An optional job may fail without stopping the stack, but its code is still
            // the first failure when the rest ends on its own.
            try project.write("orch.yaml", """
            processes:
              lint:
                command: echo "lint found problems"; exit 5
                kind: job
                optional: true
              build:
                command: while [ ! -f build.go ]; do sleep 0.02; done; echo built
                kind: job
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "lint exited with exit code 5"))
            #expect(run.process.isRunning)
            try project.write("build.go", "")
            #expect(run.waitForExit() == 5)
            #expect(run.stdout.contains("build | built"), "\(run.stdout)")
            #expect(!(run.stdout.contains("stopping")), "\(run.stdout)")
        }

        @Test func upNameStartsItAndItsDependenciesOnly() throws {
            try project.write("orch.yaml", """
            processes:
              db:
                command: echo $$ > db.pid; echo db up; exec sleep 60
                ready: {log: "db up"}
              cache:
                command: echo $$ > cache.pid; exec sleep 60
              api:
                command: echo $$ > api.pid; echo api up; exec sleep 60
                depends_on: {db: ready}
              web:
                command: echo $$ > web.pid; echo web up; exec sleep 60
                depends_on: [api]
              worker:
                command: touch worker.started; exec sleep 60
                depends_on: [db]
              docs:
                command: touch docs.started; exec sleep 60
            """)
            let run = try Running(["up", "web"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "web  | web up"))
            let lines = normalized(run.lines)
            let started = lines.filter { $0.contains(" started (pid ") }.map { $0.split(separator: " ")[2] }
            #expect(started == ["db", "api", "web"], "\(lines)")
            assertOrder(lines, ["orch | db is ready", "orch | api started (pid ", "orch | web started (pid "])
            #expect(!(run.stdout.contains("worker") || run.stdout.contains("docs") || run.stdout.contains("cache")), "\(run.stdout)")
            let pids = project.recordedPids()
            #expect(pids.count == 3)
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            #expect(project.read("worker.started") == nil)
            #expect(project.read("docs.started") == nil)
            assertAllGone(pids)
        }

        @Test func shutdownStopsDependentsBeforeDependenciesWithTheirOwnSignals() throws {
            try project.write("orch.yaml", """
            processes:
              db:
                command: trap 'echo "got TERM"; exit 0' TERM; echo $$ > db.pid; echo ready; while true; do sleep 0.05; done
                stop: {signal: TERM, timeout: 1s}
              api:
                # Ignores its stop signal: killed after its own 1s timeout.
                command: trap '' INT; echo $$ > api.pid; echo ready; while true; do sleep 0.05; done
                depends_on: [db]
                stop: {signal: INT, timeout: 1s}
              web:
                command: trap 'echo "got INT"; exit 0' INT; echo $$ > web.pid; echo ready; while true; do sleep 0.05; done
                depends_on: [api]
                stop: {signal: INT, timeout: 1s}
              solo:
                command: trap 'echo "got HUP"; exit 0' HUP; echo $$ > solo.pid; echo ready; while true; do sleep 0.05; done
                stop: {signal: HUP, timeout: 1s}
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitFor("every process to be ready") { running in
                ["db", "api", "web", "solo"].allSatisfy { running.stdout.contains("\($0 + String(repeating: " ", count: 4 - $0.count)) | ready") }
            })
            let pids = project.recordedPids()
            #expect(pids.count == 4)
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            let lines = normalized(run.lines)
            assertOrder(lines, [
                "orch | received SIGTERM, stopping",
                "orch | web stopping (SIGINT)",
                "web | got INT",
                "orch | web exited with exit code 0",
                "orch | api stopping (SIGINT)",
                "orch | api killed after 1s timeout (SIGKILL)",
                "orch | api exited with signal KILL",
                "orch | db stopping (SIGTERM)",
                "db | got TERM",
                "orch | db exited with exit code 0",
            ])
            // solo depends on nothing and nothing depends on it: it stops at once, in parallel.
            assertOrder(lines, ["orch | received SIGTERM, stopping", "orch | solo stopping (SIGHUP)", "orch | api stopping (SIGINT)"])
            assertOrder(lines, ["solo | got HUP", "orch | solo exited with exit code 0"])
            assertAllGone(pids)
        }

        // MARK: - orch run

        @Test func runExitsWithTheJobsCodeAndReportsIt() throws {
            let port = try freePort(headroom: 200)
            try project.write("orch.yaml", """
            processes:
              api:
                command: echo $$ > api.pid; exec python3 -m http.server $PORT --bind 127.0.0.1
                ready: {http: /, interval: 50ms}
              tests:
                command: echo "testing against $API"; echo "2 tests failed"; exit 3
                kind: job
                env: {API: "http://127.0.0.1:\(port)/"}
                depends_on: {api: ready}
              lint:
                command: touch lint.started
                kind: job
            """)
            let run = try Running(["run", "tests", "--no-timestamps", "-p", String(port), "--junit", "reports/ci/report.xml"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 3)
            let lines = normalized(run.lines)
            assertOrder(lines, [
                "orch | api is ready",
                "tests | testing against http://127.0.0.1:\(port)/",
                "orch | tests exited with exit code 3",
                "orch | api stopping (SIGTERM)",
                "orch | api exited with signal TERM",
                "PROCESS  RESULT  CODE  RESTARTS  DURATION",
            ])
            #expect(table(run.stdout).map { Array($0.prefix(4)) } == [
                ["PROCESS", "RESULT", "CODE", "RESTARTS"],
                ["api", "stopped", "-", "0"],
                ["tests", "failed (exit code 3)", "3", "0"],
            ])
            #expect(project.read("lint.started") == nil, "lint is neither named nor a dependency")
            let report = try junit("reports/ci/report.xml")
            #expect(report == [
                "testsuite orch tests=2 failures=1",
                "testcase orch.api api",
                "testcase orch.tests tests failure=exit code 3",
            ])
            assertAllGone(project.recordedPids())
        }

        @Test func runWithoutNamesRunsEveryJobAndSucceeds() throws {
            try project.write("orch.yaml", """
            processes:
              db:
                command: echo $$ > db.pid; echo accepting; exec sleep 60
                ready: {log: accepting}
              unit:
                command: echo "unit ok"
                kind: job
              integration:
                command: echo "integration ok"
                kind: job
                depends_on: {db: ready}
            """)
            let run = try Running(["run", "--no-timestamps", "--junit", "report.xml"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 0)
            #expect(table(run.stdout).map { Array($0.prefix(4)) } == [
                ["PROCESS", "RESULT", "CODE", "RESTARTS"],
                ["db", "stopped", "-", "0"],
                ["unit", "succeeded", "0", "0"],
                ["integration", "succeeded", "0", "0"],
            ])
            try #expect(junit("report.xml") == [
                "testsuite orch tests=3 failures=0",
                "testcase orch.db db",
                "testcase orch.unit unit",
                "testcase orch.integration integration",
            ])
            assertAllGone(project.recordedPids())
        }

        @Test func runInterruptedBySigtermExits143() throws {
            try project.write("orch.yaml", """
            processes:
              tests:
                command: echo $$ > tests.pid; echo running; exec sleep 60
                kind: job
            """)
            let run = try Running(["run", "tests", "--no-timestamps"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "tests | running"))
            let pids = project.recordedPids()
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 143)
            #expect(run.stdout.contains("orch  | received SIGTERM, stopping"), "\(run.stdout)")
            #expect(table(run.stdout).first.map { Array($0.prefix(4)) } == ["PROCESS", "RESULT", "CODE", "RESTARTS"])
            assertAllGone(pids)
        }

        // MARK: - Config errors

        @Test func configErrorsExit2NameTheLocationAndStartNothing() throws {
            try project.write("orch.yaml", """
            processes:
              a:
                command: touch a.started; exec sleep 60
                depends_on: [b]
                restrat: always
              b:
                command: touch b.started; exec sleep 60
                depends_on: {a: started}
              c:
                command: touch c.started
                depends_on: {a: finished, d: ready}
                ready: {tcp: 70000}
            """)
            let expected = [
                "orch: orch.yaml:4:18: dependency cycle: a -> b -> a",
                "orch: orch.yaml:5:5: unknown key 'restrat' in process 'a' (did you mean 'restart'?)",
                "orch: orch.yaml:11:21: the condition for 'a' in 'depends_on' in process 'c' must be started, ready, completed or succeeded, got 'finished'",
                "orch: orch.yaml:11:31: process 'c' depends on unknown process 'd' (did you mean 'a'?)",
                "orch: orch.yaml:12:18: 'tcp' in 'ready' of process 'c' must be a port or host:port, got '70000' (port must be 1-65535)",
            ]
            for command in [["up"], ["run", "c"], ["check"]] {
                let result = try runToEnd(command, in: project.path)
                #expect(result.code == 2, "\(command)")
                #expect(result.out == "", "\(command): nothing started")
                #expect(result.err.split(separator: "\n").map(String.init) == expected, "\(command)")
            }
            for name in ["a", "b", "c"] { #expect(project.read("\(name).started") == nil) }
        }

        @Test func checkShowsTheResolvedGraph() throws {
            try project.write("orch.yaml", """
            processes:
              db:
                command: exec python3 -m http.server $PORT
                ready: {tcp: $PORT}
              migrate:
                command: echo migrate
                kind: job
                depends_on: {db: ready}
              web:
                command: exec sleep 60
                depends_on: {migrate: succeeded}
                replicas: 2
            """)
            let result = try runToEnd(["check", "-p", "23720"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") } == [
                "orch.yaml: 3 processes",
                "db PORT=23720 service restart on-failure ready tcp 127.0.0.1:23720 exec python3 -m http.server $PORT",
                "migrate PORT=23820 job after db ready echo migrate",
                "web.1 PORT=23920 service restart on-failure after migrate succeeded exec sleep 60",
                "web.2 PORT=23921 service restart on-failure after migrate succeeded exec sleep 60",
            ])
        }

        // MARK: - orch.yaml.example

        @Test func exampleConfigChecks() throws {
            let example = repositoryRoot().appendingPathComponent("orch.yaml.example").path
            let result = try runToEnd(["check", "-f", example], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.err == "")
            #expect(result.out.contains("orch.yaml.example: "), "\(result.out)")
        }

        @Test func exampleStackComesUpAndStops() throws {
            let example = repositoryRoot().appendingPathComponent("orch.yaml.example")
            try project.write("orch.yaml", String(contentsOf: example, encoding: .utf8))
            // The api binds API_PORT, docs (the fifth process) the base port + 400.
            // Both are held until both are chosen, so they differ.
            let api = try ReservedPort()
            let docs = try ReservedPort()
            api.close()
            docs.close()
            let base = try #require(docs.port > 400 ? docs.port - 400 : nil, "docs' port \(docs.port) has no base port 400 below it")
            let run = try Running(["up", "-p", String(base)], in: project.path, environment: ["API_PORT": String(api.port)])
            defer { run.ensureStopped() }
            #expect(run.waitFor("both workers to reach the api") { $0.stdout.contains("worker.1 | api answered 200") && $0.stdout.contains("worker.2 | api answered 200") })
            let lines = normalized(run.lines)
            assertOrder(lines, ["orch | api is ready", "orch | migrate started (pid ", "orch | migrate exited with exit code 0", "orch | worker.1 started (pid "])
            let children = lines.compactMap { line -> Int32? in
                guard line.hasPrefix("orch | "), let range = line.range(of: " started (pid ") else { return nil }
                return Int32(line[range.upperBound...].dropLast())
            }
            run.signal(SIGINT)
            #expect(run.waitForExit() == 0)
            assertAllGone(children)
        }

        // MARK: - Helpers

        /// The pid a child wrote into `NAME.pid`.
        func pid(_ name: String) -> Int32 {
            Int32(project.read("\(name).pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        }

        /// `web   | text` → `web | text`: the padding depends on the longest name.
        func normalized(_ lines: [String]) -> [String] {
            lines.map { line in
                guard let bar = line.range(of: " | ") else { return line }
                let name = line[..<bar.lowerBound].trimmingCharacters(in: .whitespaces)
                return "\(name) | \(line[bar.upperBound...])"
            }.map { line in
                // The summary table's header: collapse its column padding too.
                line.hasPrefix("PROCESS ") ? line.split(separator: " ").joined(separator: "  ") : line
            }
        }

        /// Asserts that lines starting with each prefix appear, in this order.
        func assertOrder(_ lines: [String], _ prefixes: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            var from = 0
            for prefix in prefixes {
                guard let found = lines[from...].firstIndex(where: { $0.hasPrefix(prefix) }) else {
                    let anywhere = lines.firstIndex { $0.hasPrefix(prefix) }
                    Issue.record("\("'\(prefix)' \(anywhere == nil ? "missing" : "out of order (at line \(anywhere!), expected after line \(from - 1))")\n" + lines.joined(separator: "\n"))", sourceLocation: sourceLocation)
                    return
                }
                from = found + 1
            }
        }

        /// The summary table at the end of `orch run`'s output, as cells (split on 2+ spaces).
        func table(_ stdout: String) -> [[String]] {
            let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let header = lines.lastIndex(where: { $0.hasPrefix("PROCESS ") }) else { return [] }
            return lines[header...].filter { !$0.isEmpty }.map { row in
                row.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
        }

        /// A JUnit report parsed by python3's XML parser (so it must be well-formed),
        /// one line per element: the suite's counts, each test case and its failure.
        func junit(_ name: String) throws -> [String] {
            let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            assert root.tag == "testsuites", root.tag
            for suite in root:
                print("testsuite %s tests=%s failures=%s" % (suite.get("name"), suite.get("tests"), suite.get("failures")))
                for case in suite:
                    failure = case.find("failure")
                    extra = "" if failure is None else " failure=" + failure.get("message")
                    print("testcase %s %s%s" % (case.get("classname"), case.get("name"), extra))
            """
            let run = try Running(["-c", script, name], in: project.path, executable: "/usr/bin/python3")
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 0, "\("not a valid JUnit report: \(run.stderr)\n\(project.read(name) ?? "")")")
            return run.lines
        }

        func milliseconds(_ text: String) -> Double? {
            if text.hasSuffix("ms") { return Double(text.dropLast(2)) }
            if text.hasSuffix("s") { return Double(text.dropLast()).map { $0 * 1000 } }
            return nil
        }

        func repositoryRoot() -> URL {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
    }
}
