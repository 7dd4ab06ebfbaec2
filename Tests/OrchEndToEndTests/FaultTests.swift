import Foundation
import Testing

extension EndToEnd {
    /// What orch does when the world around it fails: it is killed with SIGKILL, its
    /// stdout is closed or full, a standard descriptor is closed.
    @Suite struct FaultTests {
        /// A started binary whose exit code is read without XCTest's helpers.
        private func exitCode(of run: Running, timeout: TimeInterval = 30) -> Int32? {
            guard eventually(timeout: timeout, { !run.process.isRunning }) else { return nil }
            run.process.waitUntilExit()
            return run.process.terminationReason == .uncaughtSignal ? 128 + run.process.terminationStatus : run.process.terminationStatus
        }

        private func pidsAlive(_ pids: [Int32]) -> [Int32] { pids.filter(isAlive) }

        @Test func sigkillOfOrchLeavesNoGrandchildRunning() throws {
            let project = try Project([
                // A background child of the leader, a double-forked orphan that left its
                // group's leader, and the leader's foreground child.
                "Procfile": """
                web: sleep 1000 & echo $! > bg.pid; (sleep 1000 & echo $! > orphan.pid); echo $$ > sh.pid; sleep 1000
                worker: exec sh -c 'sleep 1000 & echo $! > worker-bg.pid; exec sleep 1000'

                """,
            ])
            defer {
                for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
                project.cleanup()
            }
            let orch = try Running(["up", "--no-control"], in: project.path)
            defer { orch.ensureStopped() }
            let files = ["bg.pid", "orphan.pid", "sh.pid", "worker-bg.pid"]
            #expect(eventually(timeout: 20) { files.allSatisfy { project.read($0)?.hasSuffix("\n") == true } },
                    "every process wrote its pid; stderr: \(orch.stderr)")
            let pids = project.recordedPids()
            #expect(pids.count == 4)
            #expect(pidsAlive(pids) == pids, "all running before orch is killed")

            kill(orch.pid, SIGKILL)
            #expect(exitCode(of: orch) == 128 + SIGKILL)
            #expect(eventually(timeout: 20) { pidsAlive(pids).isEmpty }, "survivors of orch: \(pidsAlive(pids))")
            // The guardian shares orch's stderr, says what it did, and is gone too.
            #expect(eventually(timeout: 20) { orch.stderr.contains("): orch (pid \(orch.pid)) ended without stopping its processes: killed 2 process groups") },
                    "stderr: \(orch.stderr)")
            let guardian = orch.stderr.components(separatedBy: "orch-guardian (pid ").dropFirst().first.flatMap { Int32($0.prefix { $0.isNumber }) }
            let guardianPid = try #require(guardian, "stderr: \(orch.stderr)")
            #expect(eventually(timeout: 20) { !isAlive(guardianPid) }, "the guardian exits")
        }

        /// A classic daemon (fork, setsid, fork) is in a session and group orch never
        /// made and is reparented away when orch dies: the guardian finds it by the
        /// run's token in its environment. A process of another orch run, with the
        /// same daemon and its own token, is left alone.
        @Test func sigkillOfOrchKillsASetsidDaemon() throws {
            let daemon = """
            import os, signal, sys
            if os.fork(): os.wait(); sys.exit(0)
            os.setsid()
            if os.fork(): os._exit(0)
            if os.fork() == 0:
                open(sys.argv[1] + "-child.pid.tmp", "w").write(str(os.getpid()))
                os.rename(sys.argv[1] + "-child.pid.tmp", sys.argv[1] + "-child.pid")
            else:
                open(sys.argv[1] + ".pid.tmp", "w").write(str(os.getpid()))
                os.rename(sys.argv[1] + ".pid.tmp", sys.argv[1] + ".pid")
            while True:
                signal.pause()
            """
            let victim = try Project(["daemon.py": daemon, "Procfile": "web: python3 daemon.py daemon; echo $$ > web.pid; exec sleep 1000\n"])
            let bystander = try Project(["daemon.py": daemon, "Procfile": "web: python3 daemon.py other; echo $$ > web.pid; exec sleep 1000\n"])
            defer {
                for project in [victim, bystander] {
                    for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
                    project.cleanup()
                }
            }
            let orch = try Running(["up", "--no-control"], in: victim.path)
            defer { orch.ensureStopped() }
            // A long orphan grace: the orderly stop below must not need it.
            let other = try Running(["up", "--no-control", "--timeout", "60s"], in: bystander.path)
            defer { other.ensureStopped() }
            #expect(eventually(timeout: 30) { victim.recordedPids().count == 3 && bystander.recordedPids().count == 3 },
                    "stderr: \(orch.stderr) \(other.stderr)")
            let pids = victim.recordedPids()
            let daemonPid = try #require(victim.read("daemon.pid").flatMap { Int32($0) })
            // The daemon really left orch's groups and sessions: its session is its parent's.
            let stat = try String(contentsOfFile: "/proc/\(daemonPid)/stat", encoding: .utf8)
            let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
            #expect(fields.count > 3 && fields[3] != "\(daemonPid)" && fields[3] != "\(orch.pid)")

            kill(orch.pid, SIGKILL)
            #expect(exitCode(of: orch) == 128 + SIGKILL)
            #expect(eventually(timeout: 30) { pidsAlive(pids).isEmpty }, "survivors of orch: \(pidsAlive(pids)); stderr: \(orch.stderr)")
            #expect(eventually(timeout: 20) { orch.stderr.contains("ended without stopping its processes: killed 1 process groups") },
                    "stderr: \(orch.stderr)")
            let others = bystander.recordedPids()
            #expect(pidsAlive(others) == others, "the other run's processes are untouched")

            // The orderly stop: SIGTERM to the daemon, then to its child when it is
            // orch's (the daemon ended), well before the 60 s SIGKILL.
            other.signal(SIGTERM)
            #expect(exitCode(of: other, timeout: 30) == 0, "stderr: \(other.stderr)")
            #expect(eventually(timeout: 20) { pidsAlive(others).isEmpty }, "an orderly stop ends the daemon too: \(pidsAlive(others))")
        }

        @Test func anOrderlyExitDismissesTheGuardianSilently() throws {
            let project = try Project(["Procfile": "job: sh -c 'sleep 1000 & exit 0'\n"])
            defer { project.cleanup() }
            let orch = try Running(["run", "job", "--no-control"], in: project.path)
            defer { orch.ensureStopped() }
            #expect(exitCode(of: orch) == 0)
            #expect(!orch.stderr.contains("orch-guardian"), "stderr: \(orch.stderr)")
        }

        /// `orch up >&-` and `orch up >/dev/full`: said once on stderr, everything stops,
        /// orch exits non-zero.
        @Test(arguments: [
            (">&-", "orch: stdout is closed (give orch one, e.g. >/dev/null to discard the output); stopping every process"),
            (">/dev/full", "orch: cannot write to stdout: No space left on device; stopping every process"),
        ])
        func anUnwritableStdoutIsReportedAndStopsOrch(redirect: String, message: String) throws {
            let project = try Project(["Procfile": "web: echo $$ > web.pid; exec sleep 1000\n"])
            defer {
                for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
                project.cleanup()
            }
            let orch = try Running(["-c", "exec \"$0\" up --no-control \(redirect)", orchBinary()], in: project.path, executable: "/bin/sh")
            defer { orch.ensureStopped() }
            let code = exitCode(of: orch)
            #expect(code == 1, "stderr: \(orch.stderr)")
            #expect(orch.stderr.components(separatedBy: message).count == 2, "said once: \(orch.stderr)")
            #expect(pidsAlive(project.recordedPids()).isEmpty)
        }

        /// `orch ctl` whose stdout cannot be written says so on stderr and exits 1,
        /// whatever the command (it used to exit 0 having printed nothing).
        @Test(arguments: [
            (">/dev/full", "orch: cannot write to stdout: No space left on device\n"),
            (">&-", "orch: stdout is closed (give orch one, e.g. >/dev/null to discard the output)\n"),
        ])
        func ctlWithAnUnwritableStdoutFails(redirect: String, message: String) throws {
            let project = try Project(["Procfile": "web: echo hello; echo $$ > web.pid; exec sleep 1000\n"])
            try FileManager.default.createDirectory(atPath: project.path + "/run", withIntermediateDirectories: true)
            let env = ["XDG_RUNTIME_DIR": project.path + "/run"]
            defer {
                for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
                project.cleanup()
            }
            let orch = try Running(["up"], in: project.path, environment: env)
            defer { orch.ensureStopped() }
            #expect(orch.waitForLine(containing: "| hello"))
            for command in ["ps", "ps --json", "logs", "restart web", "signal web CONT"] {
                let ctl = try Running(["-c", "exec \"$0\" ctl \(command) \(redirect)", orchBinary()], in: project.path,
                                      environment: env, executable: "/bin/sh")
                defer { ctl.ensureStopped() }
                #expect(exitCode(of: ctl) == 1, "orch ctl \(command) \(redirect); stderr: \(ctl.stderr)")
                #expect(ctl.stderr == message, "orch ctl \(command) \(redirect)")
            }
            // Written somewhere that takes it, the same commands succeed.
            let ok = try runToEnd(["ctl", "ps"], in: project.path, environment: env)
            #expect(ok.code == 0 && ok.out.contains("web"), "\(ok)")
            orch.signal(SIGTERM)
            #expect(exitCode(of: orch) == 0, "stderr: \(orch.stderr)")
        }

        /// With fd 0 closed, the next fd orch opened (the epoll fd) used to take its place.
        @Test func aClosedStdinIsReplacedByDevNull() throws {
            let project = try Project(["Procfile": "job: readlink /proc/$PPID/fd/0 > fd0.txt\n"])
            defer { project.cleanup() }
            let orch = try Running(["-c", "exec \"$0\" run job --no-control <&-", orchBinary()], in: project.path, executable: "/bin/sh")
            defer { orch.ensureStopped() }
            #expect(exitCode(of: orch) == 0, "stderr: \(orch.stderr)")
            #expect(project.read("fd0.txt") == "/dev/null\n")
        }
    }
}
