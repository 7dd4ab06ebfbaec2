import Foundation
import Testing

extension EndToEnd {
    /// `orch up` with a Procfile, driven as a user would: the built binary, real children.
    final class UpTests: ProjectTestCase {

        @Test func prefixesPortsAndProcessNames() throws {
            try project.write("Procfile", """
            # a comment
            web: echo "web port=$PORT name=$ORCH_PROCESS_NAME"; exec sleep 30

            worker: echo "worker port=$PORT name=$ORCH_PROCESS_NAME FOO=$FOO"; exec sleep 30
            """)
            try project.write(".env", "FOO='from dotenv'\n")
            let run = try Running(["up", "-m", "web=2", "-p", "7000", "--timeout", "2s"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitFor("three lines") { $0.stdout.contains("worker port") && $0.stdout.components(separatedBy: "web port").count == 3 })
            let lines = run.lines
            #expect(lines.contains("web.1  | web port=7000 name=web.1"), "\(lines)")
            #expect(lines.contains("web.2  | web port=7001 name=web.2"), "\(lines)")
            #expect(lines.contains("worker | worker port=7100 name=worker FOO=from dotenv"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("orch   | web.1 started (pid ") }, "\(lines)")
            #expect(!(run.stdout.contains("\u{1B}[")), "no colour when stdout is not a terminal")
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }

        @Test func colorAlwaysColoursPrefixes() throws {
            try project.write("Procfile", "web: echo hi\n")
            let result = try runToEnd(["up", "--color", "always"], in: project.path)
            #expect(result.code == 0)
            #expect(result.out.contains("\u{1B}[36mweb  |\u{1B}[0m hi"), "\(result.out)")
        }

        @Test func fourWritersArriveCompleteUntornAndInOrder() throws {
            let perWriter = 50_000
            var procfile = ""
            for name in ["a", "b", "c", "d"] {
                // 80-byte payload lines, numbered, then stay alive until orch stops them.
                procfile += "\(name): awk 'BEGIN { for (i = 0; i < \(perWriter); i++) printf \"\(name)-%06d-%s\\n\", i, \"0123456789012345678901234567890123456789012345678901234567890123456789\" }'; exec sleep 60\n"
            }
            try project.write("Procfile", procfile)
            let run = try Running(["up", "--timeout", "2s"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitFor("200 000 lines", timeout: 120) { $0.stdoutBytes.count > 0 && $0.stdout.components(separatedBy: "-049999-").count == 5 })
            run.signal(SIGINT)
            #expect(run.waitForExit() == 0)
            var next: [String: Int] = ["a": 0, "b": 0, "c": 0, "d": 0]
            var torn = 0
            for line in run.lines where !line.hasPrefix("orch |") {
                // "a    | a-000001-0123…"
                let parts = line.split(separator: "|", maxSplits: 1)
                guard parts.count == 2 else { torn += 1; continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                let payload = parts[1].dropFirst()
                guard payload.count == 79, payload.hasPrefix("\(name)-"), let expected = next[name],
                      let number = Int(payload.dropFirst(2).prefix(6)) else { torn += 1; continue }
                #expect(number == expected, "out of order in \(name)")
                next[name] = number + 1
            }
            #expect(torn == 0)
            #expect(next == ["a": perWriter, "b": perWriter, "c": perWriter, "d": perWriter])
        }

        @Test func partialLastLineAndHugeLine() throws {
            try project.write("Procfile", """
            partial: while [ ! -f huge.done ]; do sleep 0.02; done; printf 'no newline at the end'
            huge: head -c 1048576 /dev/zero | tr '\\0' x; echo; touch huge.done; exec sleep 30
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() != nil)
            let lines = run.lines
            #expect(lines.contains("partial | no newline at the end"), "\(lines.filter { $0.count < 200 })")
            let huge = lines.filter { $0.hasPrefix("huge    | x") }
            #expect(huge.count == 16, "1 MiB splits into 64 KiB lines")
            #expect(huge.allSatisfy { $0.count == "huge    | ".count + 65536 })
            let partialExit = lines.firstIndex { $0.contains("partial exited with exit code 0") }
            let partialLine = lines.firstIndex(of: "partial | no newline at the end")
            #expect(partialExit != nil)
            #expect(partialLine ?? .max < partialExit ?? -1, "output comes before the exit message")
        }

        @Test func nonUTF8BytesPassThrough() throws {
            try project.write("Procfile", "bin: printf 'caf\\351 \\377\\n'\n")
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 0)
            let expected = Data("bin  | caf".utf8) + Data([0xE9, 0x20, 0xFF, 0x0A])
            #expect(run.stdoutBytes.range(of: expected) != nil)
        }

        @Test func exitCodeRuleStopsOthersWithThatCode() throws {
            try project.write("Procfile", """
            web: echo $$ > web.pid; exec sleep 60
            failing: echo started; sleep 0.2; exit 3
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForExit() == 3)
            #expect(run.stdout.contains("orch    | failing exited with exit code 3"), "\(run.stdout)")
            #expect(run.stdout.contains("orch    | web exited with signal TERM"), "\(run.stdout)")
            assertAllGone(project.recordedPids())
        }

        @Test func signalDeathExitsWith128PlusN() throws {
            try project.write("Procfile", """
            web: exec sleep 60
            victim: kill -KILL $$
            """)
            let result = try runToEnd(["up"], in: project.path)
            #expect(result.code == 137)
            #expect(result.out.contains("victim exited with signal KILL"), "\(result.out)")
        }

        @Test func sigtermStopsEverythingIncludingStubbornTreesAndDaemons() throws {
            // The daemon double-forks and calls setsid: only the subreaper can find it.
            try project.write("daemon.py", """
            import os, signal, sys
            if os.fork(): sys.exit(0)
            os.setsid()
            if os.fork(): sys.exit(0)
            open("daemon.pid", "w").write(str(os.getpid()))
            while True:
                signal.pause()  # until a signal ends it
            """)
            try project.write("Procfile", """
            web: echo $$ > web.pid; exec sleep 1000
            stubborn: trap '' TERM; echo $$ > stubborn.pid; echo ready; while true; do sleep 0.1; done
            tree: sh -c 'sleep 1000 & echo $! > tree-child.pid; wait' & echo $$ > tree.pid; wait
            daemon: python3 daemon.py; exec sleep 1000
            """)
            let run = try Running(["up", "--timeout", "1s"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitFor("every pid file") { running in self.project.recordedPids().count == 5 && running.stdout.contains("stubborn | ready") })
            let pids = project.recordedPids()
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            #expect(run.stdout.contains("stubborn killed after 1s timeout (SIGKILL)"), "\(run.stdout)")
            assertAllGone(pids + [run.pid])
        }

        @Test func sigintThenSecondSigintKillsAtOnce() throws {
            try project.write("Procfile", "stubborn: trap '' TERM INT; echo $$ > s.pid; echo ready; while true; do sleep 0.1; done\n")
            let run = try Running(["up", "--timeout", "60s"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "stubborn | ready"))
            run.signal(SIGINT)
            #expect(run.waitForLine(containing: "stubborn stopping (SIGTERM)"))
            run.signal(SIGINT)
            #expect(run.waitForExit(timeout: 10) == 0)
            #expect(run.stdout.contains("killing all processes"), "\(run.stdout)")
            assertAllGone(project.recordedPids())
        }

        @Test func sighupStopsEverythingAndExitsZero() throws {
            try project.write("Procfile", """
            web: echo $$ > web.pid; exec sleep 1000
            worker: echo $$ > worker.pid; exec sleep 1000
            """)
            let run = try Running(["up"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitFor("both running") { _ in self.project.recordedPids().count == 2 })
            let pids = project.recordedPids()
            run.signal(SIGHUP)
            #expect(run.waitForExit() == 0)
            #expect(run.stdout.contains("orch   | received SIGHUP, stopping"), "\(run.stdout)")
            assertAllGone(pids)
        }

        @Test func usr1IsForwarded() throws {
            try project.write("Procfile", "web: trap 'echo got usr1' USR1; echo ready; while true; do sleep 0.05; done\n")
            let run = try Running(["up", "--timeout", "2s"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "web  | ready"))
            run.signal(SIGUSR1)
            #expect(run.waitForLine(containing: "web  | got usr1"))
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }

        @Test func pipeIntoHeadEndsCleanly() throws {
            try project.write("Procfile", """
            spam: echo $$ > spam.pid; exec yes spam
            other: echo $$ > other.pid; exec sleep 1000
            """)
            let script = "'\(orchBinary())' up | head -n 3; echo head-done"
            let run = try Running(["-c", script], in: project.path, executable: "/bin/sh")
            defer { run.ensureStopped() }
            #expect(run.waitForExit(timeout: 20) == 0)
            #expect(run.stdout.hasSuffix("head-done\n"), "\(run.stdout)")
            #expect(run.lines.count == 4)
            assertAllGone(project.recordedPids())
        }

        @Test func slowReaderBlocksChildrenLosesNothingAndMemoryStaysBounded() throws {
            // 40 MB of output into a reader that reads nothing until the writer is seen
            // blocked on its pipe: orch must stop reading its children (they block)
            // instead of buffering everything. Then the reader takes it all.
            try project.write("Procfile", """
            spam: awk 'BEGIN { for (i = 0; i < 500000; i++) printf "%07d %s\\n", i, "0123456789012345678901234567890123456789012345678901234567890123456789" }'; exec sleep 1000
            """)
            try project.write("slow.py", """
            import os, sys
            open("go").read()  # a FIFO: the test opens it once the writer is blocked
            count = 0
            partial = b""
            while True:
                chunk = sys.stdin.buffer.read1(65536)
                if not chunk:
                    break
                lines = (partial + chunk).split(b"\\n")
                partial = lines.pop()
                for line in lines:
                    if line.startswith(b"spam | "):
                        count += 1
                        if line.startswith(b"spam | 0499999 "):
                            open("done.tmp", "w").write(str(count))
                            os.rename("done.tmp", "done")  # whole or not at all: the test polls for it
            """)
            #expect(mkfifo(project.path + "/fifo", 0o600) == 0)
            #expect(mkfifo(project.path + "/go", 0o600) == 0)
            let script = "'\(orchBinary())' up --no-control > fifo & echo $! > orch.pid; exec python3 slow.py < fifo"
            let reader = try Running(["-c", script], in: project.path, executable: "/bin/sh")
            defer { reader.ensureStopped() }
            var orchPid: Int32 = 0
            #expect(eventually(timeout: 10) {
                orchPid = Int32(self.project.read("orch.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
                return orchPid > 0
            })
            defer { if isAlive(orchPid) { kill(orchPid, SIGKILL) } }
            var peak = 0
            func sampleRSS() {
                if let status = try? String(contentsOfFile: "/proc/\(orchPid)/status", encoding: .utf8),
                   let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                   let kb = Int(line.split(separator: " ").dropFirst().first ?? "") {
                    peak = max(peak, kb)
                }
            }
            // The writer (awk, under the spam shell) blocks in pipe_write once orch has
            // stopped reading it: back-pressure, not buffering.
            #expect(eventually(timeout: 60) {
                sampleRSS()
                return descendants(of: orchPid).contains { pid in
                    (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == "awk\n"
                        && ((try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)) ?? "").contains("pipe_write")
                }
            }, "the writer never blocked on its pipe")
            let go = open(project.path + "/go", O_WRONLY)
            #expect(go >= 0)
            close(go)
            #expect(reader.waitFor("the reader to see every line", timeout: 120) { _ in
                sampleRSS()
                return self.project.read("done") != nil
            })
            #expect(project.read("done") == "500000", "every line arrived")
            #expect(peak < 48 * 1024, "orch's RSS stayed bounded (peak \(peak) KiB) while 40 MB went through")
            kill(orchPid, SIGTERM)
            #expect(eventually(timeout: 20) { !isAlive(orchPid) })
        }

        @Test func envFilesReplaceDotenvAndBadLinesWarn() throws {
            try project.write("Procfile", "web: echo \"A=$A B=$B C=$C\"\n")
            try project.write(".env", "A=from-dotenv\nB=from-dotenv\n")
            try project.write("one.env", "A=one\nexport B='two words'\n1BAD=x\n")
            try project.write("two.env", "B=\"second \\\"quoted\\\"\"\n")
            var result = try runToEnd(["up", "--no-control"], in: project.path, environment: ["C": "from-orch", "A": "from-orch"])
            #expect(result.out.contains("web  | A=from-dotenv B=from-dotenv C=from-orch"), "\(result.out)")
            result = try runToEnd(["up", "--no-control", "-e", "one.env", "-e", "two.env"], in: project.path, environment: ["C": "from-orch"])
            #expect(result.out.contains(#"web  | A=one B=second "quoted" C=from-orch"#), "\(result.out)")
            #expect(result.err.contains("one.env:3"), "an invalid key is skipped with a warning naming file:line: \(result.err)")
            result = try runToEnd(["up", "--no-control", "-e", "missing.env"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("missing.env"), "\(result.err)")
        }

        @Test func onlyNamedProcessesStart() throws {
            try project.write("Procfile", """
            web: echo web; exec sleep 30
            worker: echo worker; exec sleep 30
            """)
            let run = try Running(["up", "web"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "web  | web"))
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            #expect(!(run.stdout.contains("worker")))
        }

        @Test func unknownNameAndEmptyProcfileAreErrors() throws {
            try project.write("Procfile", "web: echo hi\n")
            var result = try runToEnd(["up", "wbe"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("no process named 'wbe' in Procfile (did you mean 'web'?)"), "\(result.err)")
            try project.write("Procfile", "# nothing here\n\n")
            result = try runToEnd(["up"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("Procfile"), "\(result.err)")
            #expect(result.out == "")
        }

        @Test func configIsFoundInParentDirectory() throws {
            try project.write("Procfile", "web: pwd\n")
            try project.write("sub/dir/keep", "")
            let result = try runToEnd(["up"], in: project.path + "/sub/dir")
            #expect(result.code == 0)
            #expect(result.out.contains("web  | \(project.url.resolvingSymlinksInPath().path)") || result.out.contains("web  | \(project.path)"), "\(result.out)")
        }

        @Test func badCwdIsReportedWithStepAndErrno() throws {
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo never
                cwd: /nonexistent/dir
            """)
            let result = try runToEnd(["up"], in: project.path)
            #expect(result.code == 127)
            #expect(result.out.contains("web: cannot start: chdir /nonexistent/dir: No such file or directory"), "\(result.out)")
        }

        @Test func checkPrintsProcessesAndErrors() throws {
            try project.write("Procfile", """
            web: python3 -m http.server $PORT
            worker: ./worker
            """)
            var result = try runToEnd(["check", "-m", "web=2"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out.contains("Procfile: 2 processes"), "\(result.out)")
            #expect(result.out.contains("web.2"), "\(result.out)")
            #expect(result.out.contains("PORT=5001"), "\(result.out)")
            #expect(result.out.contains("PORT=5100"), "\(result.out)")
            try project.write("Procfile", """
            web: ok
            this line is wrong
            web: again
            """)
            result = try runToEnd(["check"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("Procfile:2"), "\(result.err)")
            #expect(result.err.contains("Procfile:3"), "\(result.err)")
        }

        @Test func plainCommandsScriptsWithoutShebangAndShellCommands() throws {
            try project.write("script", "echo \"script ran with $1\"\n")
            #expect(chmod(project.path + "/script", 0o755) == 0)
            // One process per run: with several, the first to exit stops the others.
            let cases = [
                ("plain: ./script arg\n", "plain | script ran with arg", Int32(0)),
                ("shell: echo \"shell $((1 + 2))\"\n", "shell | shell 3", 0),
                ("missing: no-such-program-here\n", "not found", 127),
            ]
            for (procfile, expected, code) in cases {
                try project.write("Procfile", procfile)
                let result = try runToEnd(["up", "--no-control"], in: project.path)
                #expect(result.out.contains(expected), "\(result.out)")
                #expect(result.code == code, "\(result.out)")
            }
        }

        @Test func versionAndHelp() throws {
            var result = try runToEnd(["--version"], in: project.path)
            #expect(result.code == 0)
            #expect(!result.out.isEmpty)
            result = try runToEnd(["help", "up"], in: project.path)
            #expect(result.code == 0)
            #expect(result.out.contains("--timeout"), "\(result.out)")
        }
    }
}
