import Foundation
import Testing

extension EndToEnd {
    /// Never a false green, tried every way a target can fail to finish or fail to run:
    /// the exit code is not 0, the summary says why, and the JUnit report has a
    /// `<failure>`, `<error>` or `<skipped>` for it. Also: how the command after `--`
    /// is found, the quiet one-off's messages and a JUnit path that cannot be written.
    @Suite(.serialized) struct RunFalseGreenTests {
        struct Outcome: CustomTestStringConvertible, Sendable {
            let label: String
            let yaml: String
            let arguments: [String]
            let code: Int32
            /// The summary row of `tests` (process, result, code).
            let row: [String]
            /// The JUnit line of `tests` as `junitCases` prints it.
            let junit: String
            var testDescription: String { label }
        }

        static let outcomes: [Outcome] = [
            Outcome(label: "killed by a signal", yaml: """
                processes:
                  tests:
                    command: echo $$ > tests.pid; kill -KILL $$
                    kind: job
                """, arguments: ["run", "tests"], code: 137,
                row: ["tests", "failed (signal KILL)", "137"], junit: "tests failure=signal KILL"),
            Outcome(label: "its dependency job fails", yaml: """
                processes:
                  setup:
                    command: exit 3
                    kind: job
                  tests:
                    command: touch tests.ran
                    kind: job
                    depends_on: {setup: succeeded}
                """, arguments: ["run", "tests"], code: 3,
                row: ["tests", "not run", "1"], junit: "tests skipped=not run: not started: setup failed"),
            Outcome(label: "its dependency service fails its readiness check", yaml: """
                processes:
                  db:
                    command: echo $$ > db.pid; exec sleep 60
                    ready: {tcp: $REFUSED_PORT, interval: 50ms, retries: 3}
                    max_restarts: 1
                  tests:
                    command: touch tests.ran
                    kind: job
                    depends_on: {db: ready}
                """, arguments: ["run", "tests"], code: 1,
                row: ["tests", "not run", "1"], junit: "tests skipped=not run: not started: db"),
            Outcome(label: "its dependency service never becomes ready before --timeout-all", yaml: """
                processes:
                  db:
                    command: echo $$ > db.pid; exec sleep 60
                    ready: {log: never printed}
                  tests:
                    command: touch tests.ran
                    kind: job
                    depends_on: {db: ready}
                """, arguments: ["run", "tests", "--timeout-all", "1s"], code: 124,
                row: ["tests", "not run", "-"], junit: "tests skipped=not run: stopped before it started"),
            Outcome(label: "its command is not found", yaml: """
                processes:
                  tests:
                    command: no-such-command-for-orch
                    kind: job
                """, arguments: ["run", "tests"], code: 127,
                row: ["tests", "failed (exit code 127)", "127"], junit: "tests failure=exit code 127"),
            Outcome(label: "an optional target fails", yaml: """
                processes:
                  lint:
                    command: exit 0
                    kind: job
                  tests:
                    command: exit 4
                    kind: job
                    optional: true
                """, arguments: ["run"], code: 4,
                row: ["tests", "failed (exit code 4)", "4"], junit: "tests failure=exit code 4"),
        ]

        @Test(arguments: outcomes)
        func aTargetThatFailsOrNeverRunsIsNeverGreen(_ outcome: Outcome) throws {
            let project = try Project(["orch.yaml": outcome.yaml])
            defer { project.cleanup() }
            // A port that refuses connections for as long as the test holds it.
            let refused = try ReservedPort()
            defer { refused.close() }
            let result = try runToEnd(outcome.arguments + ["--no-timestamps", "--junit", "report.xml"], in: project.path,
                                      environment: ["XDG_RUNTIME_DIR": project.path, "REFUSED_PORT": String(refused.port)])
            #expect(result.code == outcome.code, "\(result.out)\n\(result.err)")
            let row = summary(result.out).first { $0.first == "tests" }
            #expect(row.map { Array($0.prefix(3)) } == outcome.row, "\(result.out)")
            let cases = try junitCases(project, "report.xml")
            #expect(cases.contains { $0.hasPrefix(outcome.junit) }, "\(cases)")
            #expect(project.read("tests.ran") == nil)
            assertAllGone(project.recordedPids())
        }

        @Test(arguments: [["stop", "tests"], ["down"]])
        func aTargetStoppedMidRunDidNotFinish(_ request: [String]) throws {
            let project = try Project(["orch.yaml": """
                processes:
                  tests:
                    command: echo $$ > tests.pid; echo testing; exec sleep 60
                    kind: job
                """])
            defer { project.cleanup() }
            let env = ["XDG_RUNTIME_DIR": project.path]
            let run = try Running(["run", "--no-timestamps", "--junit", "report.xml"], in: project.path, environment: env)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "tests | testing"))
            let ctl = try runToEnd(["ctl"] + request, in: project.path, environment: env)
            #expect(ctl.code == 0, "\(ctl.err)")
            #expect(run.waitForExit() == 1)
            #expect(summary(run.stdout) == [["PROCESS", "RESULT", "CODE", "RESTARTS"], ["tests", "stopped (did not finish)", "-", "0"]], "\(run.stdout)")
            #expect(try junitCases(project, "report.xml") == ["suite tests=1 failures=0 errors=1 skipped=0", "tests error=stopped before it finished\(request == ["down"] ? "" : " (orch ctl stop)")"])
            assertAllGone(project.recordedPids())
        }

        /// `restart: always` on a target: what `orch run` waits for is a success, so a
        /// target that succeeded is not started again (the run would never end).
        @Test func aTargetWithRestartAlwaysFinishesOnceItSucceeds() throws {
            let project = try Project(["orch.yaml": """
                processes:
                  tests:
                    command: echo run >> runs.txt
                    kind: job
                    restart: always
                """])
            defer { project.cleanup() }
            let result = try runToEnd(["run", "--no-timestamps"], in: project.path, environment: ["XDG_RUNTIME_DIR": project.path])
            #expect(result.code == 0, "\(result.out)\n\(result.err)")
            #expect(project.read("runs.txt") == "run\n")
            #expect(summary(result.out) == [["PROCESS", "RESULT", "CODE", "RESTARTS"], ["tests", "succeeded", "0", "0"]])
        }

        /// A service named as a target runs until it exits, like a job, and orch says
        /// so up front (one that never exits would keep a CI job waiting).
        @Test func aServiceNamedAsATargetRunsUntilItExitsAndOrchSaysSo() throws {
            let project = try Project(["orch.yaml": """
                processes:
                  migrate:
                    command: echo migrated
                """])
            defer { project.cleanup() }
            let result = try runToEnd(["run", "migrate", "--no-timestamps"], in: project.path, environment: ["XDG_RUNTIME_DIR": project.path])
            #expect(result.code == 0, "\(result.out)\n\(result.err)")
            #expect(result.err.contains("orch: migrate is a service: `orch run` waits until it exits (add `timeout:` to it or --timeout-all to cap the wait"), "\(result.err)")
            #expect(summary(result.out) == [["PROCESS", "RESULT", "CODE", "RESTARTS"], ["migrate", "succeeded", "0", "0"]])
        }

        struct Refusal: CustomTestStringConvertible, Sendable {
            let label: String
            let yaml: String
            let arguments: [String]
            let message: String
            var testDescription: String { label }
        }

        static let refusals: [Refusal] = [
            Refusal(label: "an unknown name", yaml: """
                processes:
                  db:
                    command: touch db.ran; exec sleep 60
                  tests:
                    command: touch tests.ran
                    kind: job
                    depends_on: [db]
                """, arguments: ["run", "tests", "tset"], message: "orch: no process named 'tset' in orch.yaml (did you mean 'tests'?)\n"),
            Refusal(label: "no jobs in the config", yaml: """
                processes:
                  db:
                    command: touch db.ran; exec sleep 60
                """, arguments: ["run"], message: "orch: orch.yaml has no jobs to run: name the processes to run, e.g. `orch run db`\n"),
        ]

        @Test(arguments: refusals)
        func aRunThatCannotWorkExits2BeforeAnythingStarts(_ refusal: Refusal) throws {
            let project = try Project(["orch.yaml": refusal.yaml])
            defer { project.cleanup() }
            let result = try runToEnd(refusal.arguments, in: project.path, environment: ["XDG_RUNTIME_DIR": project.path])
            #expect(result.code == 2)
            #expect(result.err.hasPrefix(refusal.message), "\(result.err)")
            #expect(result.out.isEmpty)
            #expect(project.read("db.ran") == nil && project.read("tests.ran") == nil, "nothing started")
        }

        /// The command starts at the `--` ArgumentParser takes as the terminator (the
        /// first argument that is exactly `--`): a `--` inside the command or in an
        /// option's `--name=--` value is not where it starts; `-e --` is a usage error
        /// and a `--` with nothing after it is refused, never a run of every job.
        @Test(arguments: [
            (["run", "--", "sh", "-c", "echo \"$@\"", "sh", "--", "x"], Int32(0), "-- x\n", ""),
            (["run", "--junit=--", "--", "echo", "--", "--"], Int32(0), "-- --\n", ""),
            (["run", "-e", ".env", "--", "sh", "-c", "echo $ANIMAL", "--"], Int32(0), "otter\n", ""),
            (["run", "-e", "--", "echo", "hi"], Int32(64), "", "Error: Missing value for '-e <file>'"),
            (["run", "--"], Int32(2), "", "orch: nothing after --: give the command to run"),
            (["run", "web", "--"], Int32(2), "", "orch: nothing after --: give the command to run"),
        ])
        func theCommandStartsAtTheTerminatorArgumentParserTook(_ arguments: [String], _ code: Int32, _ output: String, _ error: String) throws {
            let project = try Project(["Procfile": "web: touch web.ran; exec sleep 60\n", ".env": "ANIMAL=otter\n"])
            defer { project.cleanup() }
            let result = try runToEnd(arguments, in: project.path, environment: ["XDG_RUNTIME_DIR": project.path])
            #expect(result.code == code, "\(result.err)")
            #expect(result.out == output)
            #expect(result.err.hasPrefix(error), "\(result.err)")
            #expect(project.read("web.ran") == nil)
        }

        /// Without --needs the one-off's output is the command's own: orch adds only
        /// the failures it knows of, chosen by event, not by text.
        @Test(arguments: [
            (["run", "--", "sh", "-c", "echo out; exit 3"], Int32(3), [String]()),
            (["run", "--", "no-such-command-for-orch"], Int32(127),
             ["run: cannot start: execve no-such-command-for-orch: No such file or directory"]),
            (["run", "--timeout-all", "500ms", "-t", "500ms", "--", "sh", "-c", "trap '' TERM; echo out; while :; do sleep 1; done"], Int32(124),
             ["the run timed out after 500ms, --timeout-all, stopping", "run killed after 500ms timeout (SIGKILL)"]),
        ])
        func theQuietOneOffShowsOnlyFailures(_ arguments: [String], _ code: Int32, _ messages: [String]) throws {
            let project = try Project(["Procfile": "web: exec sleep 60\n"])
            defer { project.cleanup() }
            let result = try runToEnd(arguments, in: project.path, environment: ["XDG_RUNTIME_DIR": project.path])
            #expect(result.code == code, "\(result.err)")
            let orchLines = (result.out + result.err).split(separator: "\n").filter { $0.contains("orch") && $0.contains("| ") }
            #expect(orchLines.map { String($0[$0.range(of: "| ")!.upperBound...]) } == messages, "\(result.out)\n\(result.err)")
            if code != 127 { #expect(result.out == "out\n") }
        }

        /// A JUnit report that cannot be written: said with the path. A directory orch
        /// cannot make is refused before anything starts (exit 2); a file it cannot
        /// write after the run fails a run whose targets passed (exit 1: a CI job that
        /// expects the file would miss it), a failed run keeps its code.
        @Test(arguments: [("exit 0", Int32(1)), ("exit 3", Int32(3))])
        func aJUnitReportThatCannotBeWrittenFailsTheRun(_ command: String, _ code: Int32) throws {
            let project = try Project(["orch.yaml": """
                processes:
                  tests:
                    command: touch tests.ran; \(command)
                    kind: job
                """, "blocker": "a file, not a directory\n", "taken/keep": ""])
            defer { project.cleanup() }
            let env = ["XDG_RUNTIME_DIR": project.path]
            let refused = try runToEnd(["run", "--no-timestamps", "--junit", "blocker/report.xml"], in: project.path, environment: env)
            #expect(refused.code == 2)
            #expect(refused.err.hasPrefix("orch: cannot write the JUnit report (--junit): ./blocker: mkdir: Not a directory; give --junit a file orch can create\n"), "\(refused.err)")
            #expect(refused.out.isEmpty && project.read("tests.ran") == nil, "nothing started")
            let unwritable = try runToEnd(["run", "--no-timestamps", "--junit", "taken"], in: project.path, environment: env)
            #expect(unwritable.code == code)
            #expect(unwritable.err.contains("orch: cannot write the JUnit report (--junit): taken: open: Is a directory; give --junit a file orch can create\n"), "\(unwritable.err)")
            #expect(project.read("tests.ran") != nil)
            let created = try runToEnd(["run", "--no-timestamps", "--junit", "out/deep/report.xml"], in: project.path, environment: env)
            #expect(created.code == (command == "exit 0" ? 0 : code), "\(created.err)")
            #expect(project.read("out/deep/report.xml")?.contains("<testsuite name=\"orch\" tests=\"1\"") == true)
        }
    }
}
