import Foundation
import Testing

extension EndToEnd {
    /// The built `orch` against hostile configs and arguments, as a user meets them:
    /// every one ends with a clear message and exit 2 (never a trap, never a hang),
    /// Ctrl-C works while a config loads, and a running orch survives a hostile
    /// `orch ctl signal`.
    @Suite struct HostileConfigTests {
        /// Runs orch to the end; nil when it did not end within 60 s (then it is killed).
        func run(_ arguments: [String], in project: Project, environment: [String: String] = [:]) throws -> (code: Int32?, out: String, err: String) {
            let running = try Running(arguments, in: project.path, environment: environment)
            defer { running.ensureStopped() }
            let code = running.waitForExit(timeout: 60)
            return (code, running.stdout, running.stderr)
        }

        static let chain: String = {
            var yaml = "processes:\n"
            for i in 0..<100_000 { yaml += "  p\(i): {command: x, depends_on: [p\(i + 1 == 100_000 ? 0 : i + 1)]}\n" }
            return yaml
        }()

        @Test(arguments: [
            ("orch.yaml", "processes:\n  web:\n    command: x\n    stop: {signal: RTMIN+2147483647}\n",
             "orch: orch.yaml:4:20: 'signal' in 'stop' of process 'web': unknown signal 'RTMIN+2147483647'"),
            ("orch.yaml", "processes:\n  web:\n    command: x\n    stop: {timeout: 9223372036.9s}\n",
             "orch: orch.yaml:4:21: 'timeout' in 'stop' of process 'web' must be a duration like 250ms, 5s or 1m, got '9223372036.9s'"),
            ("orch.yaml", "processes:\n  web:\n    command: x\n    backoff: {initial: 2562047.99h}\n",
             "orch: orch.yaml:4:24: 'initial' in 'backoff' of process 'web' must be a duration like 250ms, 5s or 1m, got '2562047.99h'"),
            ("orch.yaml", EndToEnd.HostileConfigTests.chain,
             "orch: orch.yaml:2:33: dependency cycle: p0 -> p1 -> p2 -> p3 -> p4 -> p5 -> … (99993 more) -> p99999 -> p0"),
            ("Procfile", "web: echo a\0b\n",
             "orch: Procfile:1:1: the command of process 'web' contains a NUL byte, which cannot be passed to a program (it would cut the text short): remove it"),
            ("Procfile", "all: echo a\n",
             "orch: Procfile:1:1: the process name 'all' is reserved (`orch ctl restart all` means every process): rename the process"),
            ("orch.yaml", "processes:\n  web:\n    command: x\n    ready: {http: \"http://127.0.0.1:99999/\"}\n",
             "orch: orch.yaml:4:12: 'ready' of process 'web': the URL 'http://127.0.0.1:99999/' has port '99999', which is not a port number (1-65535)"),
            ("orch.yaml", "control: {socket: nowhere/orch.sock}\nprocesses:\n  web: x\n",
             "orch: orch.yaml:1:19: 'socket' in 'control': the directory PROJECT/nowhere does not exist; create it or choose another path"),
            // The process could never start there (chdir fails with ENOTDIR every time).
            ("orch.yaml", "processes:\n  web:\n    command: x\n    cwd: orch.yaml\n",
             "orch: orch.yaml:4:10: cwd of process 'web' is a regular file, not a directory: PROJECT/orch.yaml; point cwd at a directory"),
        ])
        func checkAndUpRefuseWithExit2(_ file: String, _ text: String, _ expected: String) throws {
            let project = try Project([file: text])
            defer { project.cleanup() }
            for command in ["check", "up"] {
                let result = try run([command], in: project)
                #expect(result.code == 2, "\(command): \(result.err.prefix(500))")
                #expect(result.err.split(separator: "\n").first.map(String.init) == expected.replacingOccurrences(of: "PROJECT", with: project.path), "\(command)")
                #expect(result.out == "", "\(command): nothing started")
            }
        }

        @Test(arguments: ["9223372036.9s", "2562047.99h", "99999999999999999999s", "1e9s"])
        func aTimeoutThatOverflowsIsRefused(_ timeout: String) throws {
            let project = try Project(["Procfile": "web: echo started > started\n"])
            defer { project.cleanup() }
            let result = try run(["up", "--timeout", timeout], in: project)
            #expect(result.code == 2)
            #expect(result.err == "orch: --timeout '\(timeout)' is not a duration (use e.g. 500ms, 5s, 1m)\n")
            #expect(project.read("started") == nil)
        }

        @Test(arguments: [
            (["-m", "web=99999999999999999999"], "orch: formation (-m): invalid count '99999999999999999999' in formation entry 'web=99999999999999999999': expected a number from 0 to 1000"),
            (["-m", "web=-9223372036854775808"], "orch: formation (-m): invalid count '-9223372036854775808' in formation entry 'web=-9223372036854775808': expected a number from 0 to 1000"),
            // Said once, not once per empty entry.
            (["-m", ",,,"], "orch: formation (-m): empty entry in ',,,': expected name=count, e.g. web=2,worker=1"),
            (["-p", "9223372036854775807"], "orch: -p: the base port must be between 1 and 65535, got 9223372036854775807"),
            (["--base-port=-9223372036854775808"], "orch: -p: the base port must be between 1 and 65535, got -9223372036854775808"),
        ])
        func numbersOnTheCommandLineAreChecked(_ arguments: [String], _ expected: String) throws {
            let project = try Project(["Procfile": "web: x\nworker: y\n"])
            defer { project.cleanup() }
            let result = try run(["check"] + arguments, in: project)
            #expect(result.code == 2)
            #expect(result.err == expected + "\n")
        }

        @Test func theLastBasePortGivesLaterProcessesNoPORTWithoutOverflow() throws {
            let project = try Project(["Procfile": "web: x\nworker: y\n"])
            defer { project.cleanup() }
            let result = try run(["check", "-p", "65535"], in: project)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out.contains("web     PORT=65535"), "\(result.out)")
            #expect(result.err.contains("process 'worker' gets no PORT"), "\(result.err)")
        }

        @Test func aFIFOAsConfigOrEnvFileIsRefusedAtOnce() throws {
            let project = try Project(["Procfile": "web: x\n"])
            defer { project.cleanup() }
            #expect(mkfifo(project.path + "/pipe", 0o600) == 0)
            var result = try run(["check", "-f", "pipe"], in: project)
            #expect(result.code == 2)
            #expect(result.err == "orch: pipe: not a regular file (it is a FIFO): give a file\n")
            result = try run(["check", "-e", "pipe"], in: project)
            #expect(result.code == 2)
            #expect(result.err == "orch: pipe: not a regular file (it is a FIFO): give a file\n")
            result = try run(["check", "-f", "/dev/zero"], in: project)
            #expect(result.err == "orch: /dev/zero: not a regular file (it is a character device): give a file\n")
        }

        @Test func aSymlinkLoopSaysSo() throws {
            let project = try Project()
            defer { project.cleanup() }
            try FileManager.default.createSymbolicLink(atPath: project.path + "/Procfile", withDestinationPath: "Procfile")
            let result = try run(["check"], in: project)
            #expect(result.code == 2)
            #expect(result.err == "orch: Procfile: too many levels of symbolic links (a symlink loop?)\n")
        }

        @Test func envFileWarningsNeverShowAValue() throws {
            let project = try Project([
                "Procfile": "web: x\n",
                ".env": "GOOD=1\nhunter2-is-my-password\nDB PASSWORD=hunter2\nTOKEN='hunter2' hunter2\n",
            ])
            defer { project.cleanup() }
            let result = try run(["check"], in: project)
            #expect(result.code == 0)
            #expect(result.err == """
                orch: warning: .env:2:1: expected KEY=value, found no '='; line skipped
                orch: warning: .env:3:3: invalid variable name: a space is not allowed in a name (use letters, digits and '_', not starting with a digit); line skipped
                orch: warning: .env:4:17: unexpected text after the closing quote of 'TOKEN'; line skipped

                """)
            #expect(!result.err.contains("hunter2"))
        }

        @Test func ctrlCWhileAConfigLoadsEndsOrchWith130() throws {
            // A config big enough that loading it takes a while on any machine.
            var procfile = ""
            for i in 0..<150_000 { procfile += "p\(i): echo \(i)\n" }
            let project = try Project(["Procfile": procfile])
            defer { project.cleanup() }
            let running = try Running(["check"], in: project.path)
            defer { running.ensureStopped() }
            // Once orch has blocked its signals and started the thread that reads them
            // until the loop exists: from then on Ctrl-C is read, not left pending.
            #expect(eventually(timeout: 30) {
                let status = (try? String(contentsOfFile: "/proc/\(running.pid)/status", encoding: .utf8)) ?? ""
                return status.contains("Threads:\t2") || !running.process.isRunning
            })
            kill(running.pid, SIGINT)
            #expect(running.waitForExit(timeout: 30) == 130)
            #expect(running.process.terminationReason == .exit, "orch exits 130 itself rather than dying of the signal")
            #expect(running.stdout == "", "interrupted before it printed the processes")
        }

        @Test func ctlSignalWithAnOverflowingNumberLeavesOrchRunning() throws {
            let project = try Project(["Procfile": "web: echo $$ > web.pid; exec sleep 1000\n"])
            try FileManager.default.createDirectory(atPath: project.path + "/run", withIntermediateDirectories: true)
            defer { project.cleanup() }
            let environment = ["XDG_RUNTIME_DIR": project.path + "/run"]
            let orch = try Running(["up", "--timeout", "2s"], in: project.path, environment: environment)
            defer {
                orch.ensureStopped()
                for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
            }
            #expect(eventually(timeout: 30) {
                orch.stdout.contains("web started (pid") && ((try? FileManager.default.contentsOfDirectory(atPath: project.path + "/run/orch")) ?? []).contains { $0.hasSuffix(".json") }
            })
            for signal in ["RTMIN+2147483647", "RTMAX-2147483648", "RTMIN+99999999999999999999", "4294967311"] {
                let result = try run(["ctl", "signal", "web", signal], in: project, environment: environment)
                #expect(result.code == 1, "\(signal)")
                #expect(result.err.hasPrefix("orch: unknown signal '\(signal)'"), "\(signal): \(result.err)")
            }
            #expect(orch.process.isRunning, "orch survives")
            let pids = project.recordedPids()
            let down = try run(["ctl", "down"], in: project, environment: environment)
            #expect(down.code == 0)
            #expect(orch.waitForExit(timeout: 30) == 0)
            #expect(eventually(timeout: 10) { pids.allSatisfy { !isAlive($0) } })
        }
    }
}
