import Foundation
import Testing

extension EndToEnd {
    /// What a new user met in their first hour: each drives the binary as they did.
    @Suite struct FirstHourTests {
        @Test func checkReportsACommandTheShellCannotParse() throws {
            let project = try Project([
                "Procfile": "ok: echo fine\nweb: echo \"unterminated\nloop: while true; do echo x\n",
            ])
            defer { project.cleanup() }
            var result = try runToEnd(["check"], in: project.path)
            #expect(result.code == 2)
            #expect(result.out.isEmpty)
            #expect(result.err == """
            orch: Procfile:2: process 'web': sh cannot parse its command: Syntax error: Unterminated quoted string
            orch: Procfile:3: process 'loop': sh cannot parse its command: Syntax error: end of file unexpected (expecting "done")

            """)

            try project.write("orch.yaml", """
            processes:
              web:
                command: |
                  echo start
                  echo "$(date"
                ready: { exec: "test -f ready ||" }
              fine:
                command: exec sleep 1
            """)
            result = try runToEnd(["check", "-f", "orch.yaml"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("orch: orch.yaml:2: process 'web': sh cannot parse its command: Syntax error: Unterminated quoted string (line 2 of the command)\n"), "\(result.err)")
            #expect(result.err.contains("orch: orch.yaml:2: process 'web': sh cannot parse its ready probe: Syntax error: end of file unexpected\n"), "\(result.err)")
            #expect(!result.err.contains("'fine'"))

            try project.write("Procfile", "web: echo \"it's fine\" && exec sleep 1\n")
            result = try runToEnd(["check", "-f", "Procfile"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
        }

        @Test func checkFindsTheBadCommandsAmongThousandsOfGoodOnes() throws {
            // One sh reads the good ones together; the bad ones are still named exactly,
            // and a comment-only command (an empty function body when read together) is fine.
            var procfile = ""
            for i in 0..<2000 { procfile += "p\(i): echo hello \(i) && exec sleep 1\n" }
            procfile += "bad: echo \"unterminated\n"
            for i in 2000..<3000 { procfile += "p\(i): case $1 in a) echo \(i);; esac\n" }
            procfile += "note: # nothing to run\nworse: if true; then echo; fi fi\n"
            let project = try Project(["Procfile": procfile])
            defer { project.cleanup() }
            let result = try runToEnd(["check", "-p", "1000"], in: project.path)
            #expect(result.code == 2)
            let problems = result.err.split(separator: "\n").filter { $0.contains("cannot parse") }
            #expect(problems == [
                "orch: Procfile:2001: process 'bad': sh cannot parse its command: Syntax error: Unterminated quoted string",
                "orch: Procfile:3003: process 'worse': sh cannot parse its command: Syntax error: \"fi\" unexpected",
            ], "\(result.err)")
        }

        @Test func withBothConfigsOrchSaysWhichItUses() throws {
            let project = try Project(["orch.yaml": "processes:\n  web: { command: exec sleep 1 }\n", "Procfile": "web: exec sleep 1\n", "sub/.keep": ""])
            defer { project.cleanup() }
            var result = try runToEnd(["check"], in: project.path + "/sub")
            #expect(result.code == 0)
            #expect(result.err == "orch: warning: using \(project.path)/orch.yaml; the Procfile beside it is ignored (-f \(project.path)/Procfile runs it)\n")
            result = try runToEnd(["check", "-f", "Procfile"], in: project.path)
            #expect(result.code == 0)
            #expect(result.err.isEmpty, "naming the file says which one: \(result.err)")
            try FileManager.default.removeItem(atPath: project.path + "/Procfile")
            result = try runToEnd(["check"], in: project.path)
            #expect(result.err.isEmpty, "\(result.err)")
        }

        /// `orch ctl logs` colours each prefix as `orch up` does: on a terminal by
        /// default, through a pipe only with --color always, and while following.
        @Test func ctlLogsColoursPrefixesAsUpDoes() throws {
            let project = try Project([
                "Procfile": "web: echo $$ > web.pid; while true; do echo tick; sleep 0.1; done\nworker: echo $$ > worker.pid; while true; do echo work; sleep 0.1; done\n",
                "run/.keep": "",
            ])
            defer {
                for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
                project.cleanup()
            }
            let env = ["XDG_RUNTIME_DIR": project.path + "/run"]
            let orch = try Running(["up", "--color", "always"], in: project.path, environment: env)
            defer { orch.ensureStopped() }
            #expect(orch.waitFor("both processes print") { $0.stdout.contains("tick") && $0.stdout.contains("work") })
            #expect(eventually(timeout: 20) { (try? runToEnd(["ctl", "ps"], in: project.path, environment: env).code) == 0 })
            let web = try #require(colour(of: "web", in: orch.stdout))
            let worker = try #require(colour(of: "worker", in: orch.stdout))
            #expect(web != worker)

            // script(1) gives orch ctl a terminal.
            let terminal = try Running(["-qec", "\(orchBinary()) ctl logs -n 3", "/dev/null"], in: project.path,
                                       environment: env.merging(["TERM": "xterm"]) { $1 }, executable: "/usr/bin/script")
            defer { terminal.ensureStopped() }
            #expect(terminal.waitForExit(timeout: 30) == 0, "\(terminal.stderr)")
            #expect(colour(of: "web", in: terminal.stdout) == web, "\(terminal.stdout)")
            #expect(colour(of: "worker", in: terminal.stdout) == worker, "\(terminal.stdout)")

            let piped = try runToEnd(["ctl", "logs", "-n", "3"], in: project.path, environment: env)
            #expect(piped.code == 0)
            #expect(piped.out.contains("web    | tick\n") && !piped.out.contains("\u{1B}["), "\(piped.out)")

            let follower = try Running(["ctl", "logs", "-f", "-n", "0", "--color", "always", "worker"], in: project.path, environment: env)
            defer { follower.ensureStopped() }
            #expect(follower.waitFor("a followed line") { colour(of: "worker", in: $0.stdout) != nil })
            #expect(colour(of: "worker", in: follower.stdout) == worker)
            #expect(!follower.stdout.contains("tick"))
        }

        /// The SGR code right before `name` in a prefix, e.g. `36` in `ESC[36mweb |`.
        func colour(of name: String, in text: String) -> String? {
            // A terminal ends lines with \r\n, one Character in Swift.
            for line in text.split(whereSeparator: \.isNewline) {
                guard line.hasPrefix("\u{1B}["), let m = line.firstIndex(of: "m") else { continue }
                let rest = line[line.index(after: m)...]
                guard rest.hasPrefix(name + " ") || rest.hasPrefix(name + "|") else { continue }
                return String(line[line.index(line.startIndex, offsetBy: 2)..<m])
            }
            return nil
        }
    }
}
