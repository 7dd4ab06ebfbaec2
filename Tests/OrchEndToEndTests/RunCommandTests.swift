import Foundation
import Testing

extension EndToEnd {
    /// `orch run` for CI and one-off commands, driven through the built binary: `--`
    /// commands (a pty for Ctrl-C), --needs, job timeouts, which failure decides, --fail-fast,
    /// cancellation, autostart: false, 0-replica targets, GitHub Actions output.
    @Suite(.serialized) struct RunCommandTests {
        /// A project directory with a private state directory; removed, and every pid its
        /// children recorded killed, by `finish()`.
        final class Scratch {
            let project: Project
            var env: [String: String] { ["XDG_RUNTIME_DIR": project.path + "/run"] }
            init(_ files: [String: String]) throws {
                project = try Project(files)
                try FileManager.default.createDirectory(atPath: project.path + "/run", withIntermediateDirectories: true)
            }
            func finish() {
                for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
                project.cleanup()
            }
            /// True when none of `pids` is alive within a generous deadline.
            func allGone(_ pids: [Int32]) -> Bool {
                eventually(timeout: 10) { !pids.contains(where: isAlive) }
            }
            func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (code: Int32?, out: String, err: String) {
                try runToEnd(arguments, in: project.path, environment: env.merging(environment) { $1 })
            }
        }

        @Test func aCommandAfterTheTerminatorGetsTheProjectEnvironmentAndKeepsItsCode() throws {
            let scratch = try Scratch([
                "Procfile": "web: touch web.started; exec sleep 60\n",
                ".env": "ANIMAL=otter\n",
            ])
            defer { scratch.finish() }
            let result = try scratch.run(["run", "-p", "26100", "--", "sh", "-c", "echo $ANIMAL $PORT $ORCH_PROCESS_NAME; echo oops >&2; exit 7"])
            #expect(result.code == 7)
            #expect(result.out == "otter 26100 run\n", "the command's own stdout, unprefixed")
            #expect(result.err == "oops\n")
            #expect(scratch.project.read("web.started") == nil, "no process of the config runs")
            let missing = try scratch.run(["run", "--", "no-such-command-here"])
            #expect(missing.code == 127)
            #expect(missing.err.contains("cannot start: execve no-such-command-here: No such file or directory"), "\(missing.err)")
        }

        @Test func aCommandOnATerminalGetsCtrlCItself() throws {
            let scratch = try Scratch(["Procfile": "web: exec sleep 60\n"])
            defer { scratch.finish() }
            // python3 runs orch on a fresh pty as its controlling terminal, waits for the
            // command's prompt, types Ctrl-C and reports what it read and orch's exit code.
            try scratch.project.write("terminal.py", """
            import os, pty, select, subprocess, sys, time
            child = "import os, signal, sys\\ndef got(*_):\\n    print('command got SIGINT', flush=True)\\n    os._exit(3)\\nsignal.signal(signal.SIGINT, got)\\nprint('ready', flush=True)\\nsys.stdin.readline()\\n"
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], [sys.argv[1], "run", "--", "python3", "-c", child])
            out = b""
            def until(text):
                global out
                end = time.time() + 20
                while text not in out and time.time() < end:
                    if select.select([fd], [], [], 0.1)[0]:
                        try: out += os.read(fd, 4096)
                        except OSError: return False
                return text in out
            if not until(b"ready\\r\\n"):
                print("no prompt:", out)
                subprocess.run(["ps", "-o", "pid,ppid,pgid,sid,tpgid,stat,wchan:20,cmd", "-s", str(pid)])
                os.killpg(pid, 9)
                sys.exit(1)
            os.write(fd, b"\\x03")
            until(b"end of output")
            _, status = os.waitpid(pid, 0)
            print(out.decode().replace("\\r", ""), end="")
            print("exit", os.waitstatus_to_exitcode(status))

            """)
            let run = try Running(["terminal.py", orchBinary()], in: scratch.project.path, executable: "/usr/bin/python3")
            defer { run.ensureStopped() }
            #expect(run.waitForExit(timeout: 60) == 0, "\(run.stderr)")
            #expect(run.stdout.hasSuffix("ready\n^Ccommand got SIGINT\nexit 3\n"), "\(run.stdout)")
            #expect(!run.stdout.contains("received SIGINT"), "orch itself ignores the terminal's Ctrl-C: \(run.stdout)")
        }

        @Test func ctrlZStopsTheCommandAndOrchAsOneJobAndFgResumesIt() throws {
            let scratch = try Scratch(["Procfile": "web: exec sleep 60\n"])
            defer { scratch.finish() }
            // An interactive bash with job control on a pty: run a command through orch,
            // Ctrl-Z, `fg`, then answer the command's prompt.
            try scratch.project.write("job.py", """
            import os, pty, select, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.environ["PS1"] = "$ "
                os.execv("/bin/bash", ["bash", "--norc", "--noprofile", "-i"])
            out = b""
            def until(done):
                global out
                end = time.time() + 20
                while not done() and time.time() < end:
                    if select.select([fd], [], [], 0.1)[0]:
                        try: out += os.read(fd, 4096)
                        except OSError: return False
                return done()
            marker = b"readline().strip()"
            steps = []
            until(lambda: b"$ " in out)
            os.write(fd, (sys.argv[1] + " run -- python3 -c \\"import sys; print('ask', flush=True); print('got', sys.stdin.readline().strip(), flush=True)\\"\\n").encode())
            steps.append(until(lambda: b"ask\\r\\n" in out))
            os.write(fd, b"\\x1a")
            steps.append(until(lambda: b"Stopped" in out and out.endswith(b"$ ")))
            os.write(fd, b"fg\\n")
            # bash prints the job's command line when it resumes it.
            steps.append(until(lambda: out.count(marker) >= 3))
            os.write(fd, b"hello\\n")
            steps.append(until(lambda: b"got hello" in out))
            os.write(fd, b"echo rc=$?; exit\\n")
            steps.append(until(lambda: b"rc=0" in out))
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            print(steps)
            if not all(steps):
                print(out, open("/proc/self/status").read())
            """)
            let run = try Running(["job.py", orchBinary()], in: scratch.project.path, executable: "/usr/bin/python3")
            defer { run.ensureStopped() }
            #expect(run.waitForExit(timeout: 120) == 0, "\(run.stderr)")
            #expect(run.stdout == "[True, True, True, True, True]\n", "\(run.stdout)")
        }

        @Test func needsStartsTheServiceWaitsUntilItIsReadyThenStopsIt() throws {
            let scratch = try Scratch(["orch.yaml": """
            processes:
              db:
                command: echo $$ > db.pid; exec python3 -m http.server $PORT --bind 127.0.0.1
                ready: {tcp: $PORT, interval: 50ms}
              web:
                command: touch web.started; exec sleep 60
            """])
            defer { scratch.finish() }
            let port = try freePort(headroom: 100)
            let connect = "import socket; socket.create_connection(('127.0.0.1', \(port))).close(); print('db answered')"
            let result = try scratch.run(["run", "-p", String(port), "--needs", "db", "--", "python3", "-c", connect])
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out == "db answered\n")
            #expect(result.err.contains("orch | db is ready"), "orch's own lines go to stderr: \(result.err)")
            #expect(scratch.project.read("web.started") == nil)
            #expect(scratch.allGone(scratch.project.recordedPids()))
        }

        @Test func aJobOverItsTimeoutIsKilledReportedAndExits124() throws {
            let scratch = try Scratch(["orch.yaml": """
            processes:
              tests:
                command: echo $$ > tests.pid; echo started; trap '' TERM; while :; do sleep 1; done
                kind: job
                timeout: 1s
                stop: {timeout: 500ms}
            """])
            defer { scratch.finish() }
            let result = try scratch.run(["run", "tests", "--no-timestamps", "--junit", "report.xml"])
            #expect(result.code == 124)
            #expect(result.out.contains("orch  | tests timed out after 1s\n"), "\(result.out)")
            #expect(result.out.contains("orch  | tests killed after 500ms timeout (SIGKILL)"), "\(result.out)")
            #expect(summary(result.out) == [["PROCESS", "RESULT", "CODE", "RESTARTS"], ["tests", "failed (timed out after 1s)", "124", "0"]])
            let report = scratch.project.read("report.xml") ?? ""
            #expect(report.contains("<failure message=\"timed out after 1s\" type=\"exit code 124\">tests: timed out after 1s\nexit code: 124\n"), "\(report)")
            #expect(report.contains("last 1 line of output:\nstarted\n</failure>"), "\(report)")
            #expect(scratch.allGone(scratch.project.recordedPids()))
        }

        @Test func theTargetThatFailsFirstInTimeDecidesTheExitCode() throws {
            // `late` is first in the file but fails after `early` has failed.
            let scratch = try Scratch(["orch.yaml": """
            processes:
              late:
                command: while [ ! -f early.done ]; do sleep 0.05; done; sleep 1; echo late fails; exit 5
                kind: job
              early:
                command: echo early fails; touch early.done; exit 6
                kind: job
            """])
            defer { scratch.finish() }
            let result = try scratch.run(["run", "--no-timestamps"])
            #expect(result.code == 6, "\(result.out)")
            #expect(summary(result.out) == [
                ["PROCESS", "RESULT", "CODE", "RESTARTS"],
                ["late", "failed (exit code 5)", "5", "0"],
                ["early", "failed (exit code 6)", "6", "0"],
            ], "without --fail-fast the other target finishes")
        }

        @Test func failFastStopsTheRunAtTheFirstFailure() throws {
            let scratch = try Scratch(["orch.yaml": """
            processes:
              slow:
                command: echo $$ > slow.pid; echo slow running; exec sleep 60
                kind: job
              fails:
                command: while [ ! -f slow.pid ]; do sleep 0.05; done; echo broken; exit 6
                kind: job
            """])
            defer { scratch.finish() }
            let result = try scratch.run(["run", "--fail-fast", "--no-timestamps", "--junit", "report.xml"])
            #expect(result.code == 6, "\(result.out)")
            #expect(result.out.contains("orch  | fails failed: stopping the run (--fail-fast)"), "\(result.out)")
            #expect(summary(result.out) == [
                ["PROCESS", "RESULT", "CODE", "RESTARTS"],
                ["slow", "stopped (did not finish)", "-", "0"],
                ["fails", "failed (exit code 6)", "6", "0"],
            ])
            #expect(try junitCases(scratch.project, "report.xml") == [
                "suite tests=2 failures=1 errors=1 skipped=0",
                "slow error=stopped before it finished",
                "fails failure=exit code 6",
            ])
            #expect(scratch.allGone(scratch.project.recordedPids()))
        }

        @Test func sigtermDuringARunExits143AndTheReportSaysTheTargetDidNotFinish() throws {
            let scratch = try Scratch(["orch.yaml": """
            processes:
              db:
                command: echo $$ > db.pid; echo accepting; exec sleep 60
                ready: {log: accepting}
              tests:
                command: echo $$ > tests.pid; echo testing; exec sleep 60
                kind: job
                depends_on: {db: ready}
              later:
                command: touch later.ran
                kind: job
                depends_on: {tests: succeeded}
            """])
            defer { scratch.finish() }
            let run = try Running(["run", "--no-timestamps", "--junit", "report.xml"], in: scratch.project.path, environment: scratch.env)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "tests | testing"))
            let pids = scratch.project.recordedPids()
            #expect(pids.count == 2)
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 143)
            #expect(summary(run.stdout) == [
                ["PROCESS", "RESULT", "CODE", "RESTARTS"],
                ["db", "stopped", "-", "0"],
                ["tests", "stopped (did not finish)", "-", "0"],
                ["later", "not run", "-", "0"],
            ], "\(run.stdout)")
            #expect(try junitCases(scratch.project, "report.xml") == [
                "suite tests=3 failures=0 errors=1 skipped=1",
                "db",
                "tests error=stopped before it finished",
                "later skipped=not run: stopped before it started",
            ])
            #expect(scratch.project.read("later.ran") == nil)
            #expect(scratch.allGone(pids))
        }

        @Test func autostartFalseKeepsAJobOutOfUpUntilItIsStarted() throws {
            let scratch = try Scratch(["orch.yaml": """
            processes:
              web:
                command: echo $$ > web.pid; echo web up; exec sleep 60
              tests:
                command: echo ran >> tests.ran; echo tests ran
                kind: job
                autostart: false
            """])
            defer { scratch.finish() }
            let up = try Running(["up"], in: scratch.project.path, environment: scratch.env)
            defer { up.ensureStopped() }
            #expect(up.waitForLine(containing: "web   | web up"))
            #expect(scratch.project.read("tests.ran") == nil, "autostart: false keeps it out of orch up")
            let start = try scratch.run(["ctl", "start", "tests"])
            #expect(start.code == 0, "\(start.err)")
            #expect(up.waitForLine(containing: "tests | tests ran"))
            #expect(up.process.isRunning, "a job that ends does not stop orch up")
            up.signal(SIGTERM)
            #expect(up.waitForExit() == 0)
            let run = try scratch.run(["run", "tests", "--no-timestamps"])
            #expect(run.code == 0)
            #expect(summary(run.out) == [["PROCESS", "RESULT", "CODE", "RESTARTS"], ["tests", "succeeded", "0", "0"]])
            #expect(scratch.project.read("tests.ran") == "ran\nran\n")
            #expect(scratch.allGone(scratch.project.recordedPids()))
        }

        @Test(arguments: [["run", "tests"], ["run", "tests", "-m", "tests=1,db=0"]])
        func aTargetThatCannotRunIsRefusedBeforeAnythingStarts(arguments: [String]) throws {
            let scratch = try Scratch(["orch.yaml": """
            processes:
              db:
                command: touch db.started; exec sleep 60
              tests:
                command: touch tests.started
                kind: job
                replicas: 0
                depends_on: [db]
            """])
            defer { scratch.finish() }
            let result = try scratch.run(arguments)
            #expect(result.code == 2)
            let name = arguments.last == "tests=1,db=0" ? "db" : "tests"
            #expect(result.err.contains("orch: cannot run '\(name)': "), "\(result.err)")
            #expect(result.err.contains("has 0 replicas"), "\(result.err)")
            #expect(result.out.isEmpty)
            #expect(scratch.project.read("db.started") == nil && scratch.project.read("tests.started") == nil)
        }

        @Test func githubActionsGetsAStepSummaryAndOneAnnotationPerFailedTarget() throws {
            let scratch = try Scratch(["orch.yaml": """
            processes:
              unit:
                command: echo unit ok
                kind: job
              lint:
                command: "echo 'lint: 100% of files'; echo 'style, error'; exit 2"
                kind: job
            """])
            defer { scratch.finish() }
            try scratch.project.write("summary.md", "# before\n")
            let result = try scratch.run(["run"], environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": scratch.project.path + "/summary.md"])
            #expect(result.code == 2)
            let annotations = result.out.split(separator: "\n").filter { $0.hasPrefix("::") }
            #expect(annotations == ["::error title=lint failed (exit code 2)::last 2 lines:%0Alint: 100%25 of files%0Astyle, error"])
            let timestamped = result.out.split(separator: "\n").filter { $0.contains("| unit ok") }
            #expect(timestamped.count == 1 && timestamped[0].range(of: #"^\d\d:\d\d:\d\d\.\d\d\d unit \| unit ok$"#, options: .regularExpression) != nil,
                    "timestamps by default when stdout is not a terminal: \(result.out)")
            let markdown = (scratch.project.read("summary.md") ?? "").replacingOccurrences(of: #"\| [0-9.]+(ns|µs|ms|s) \|"#, with: "| T |", options: .regularExpression)
            #expect(markdown == """
            # before
            ### orch run: failed (exit code 2)

            | Process | Result | Code | Restarts | Duration |
            | --- | --- | --- | --- | --- |
            | unit | succeeded | 0 | 0 | T |
            | lint | failed (exit code 2) | 2 | 0 | T |


            """)
        }
    }
}

/// The summary table's rows, the first four columns (duration varies).
func summary(_ stdout: String) -> [[String]] {
    let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let header = lines.lastIndex(where: { $0.hasPrefix("PROCESS ") }) else { return [] }
    return lines[header...].filter { !$0.isEmpty && !$0.hasPrefix("::") }.map { row in
        Array(row.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.prefix(4))
    }
}

/// A JUnit file read by python3's XML parser: the suite's counts, then each test case
/// with its failure, error or skipped message.
func junitCases(_ project: Project, _ name: String) throws -> [String] {
    let script = """
    import sys, xml.etree.ElementTree as ET
    for suite in ET.parse(sys.argv[1]).getroot():
        print("suite tests=%s failures=%s errors=%s skipped=%s" % (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")))
        for case in suite:
            extra = "".join(" %s=%s" % (child.tag, child.get("message")) for child in case)
            print(case.get("name") + extra)
    """
    let run = try Running(["-c", script, name], in: project.path, executable: "/usr/bin/python3")
    defer { run.ensureStopped() }
    _ = run.waitForExit()
    return run.stdout.split(separator: "\n").map(String.init)
}
