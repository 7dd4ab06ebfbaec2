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
