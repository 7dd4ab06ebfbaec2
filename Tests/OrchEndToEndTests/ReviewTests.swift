import Foundation
import OrchSystem
import Testing

extension EndToEnd {
    /// Regressions found by a new-user review: each drives the binary as that user did.
    final class ReviewTests: ProjectTestCase {

        @Test func outOfRangeDurationsAndCountsAreConfigErrorsNotCrashes() throws {
            try project.write("orch.yaml", """
            processes:
              a:
                command: exec sleep 30
                stop: { timeout: 9223372036854775807ns }
                ready: { exec: "true", interval: 2562047h }
            """)
            var result = try runToEnd(["check"], in: project.path)
            #expect(result.code == 2, "\(result.out + result.err)")
            #expect(result.err.contains("orch.yaml:4:"), "\(result.err)")
            #expect(result.err.contains("orch.yaml:5:"), "\(result.err)")
            try project.write("Procfile", "web: exec sleep 30\n")
            result = try runToEnd(["check", "-f", "Procfile", "-m", "web=9223372036854775807"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("expected a number from 0 to 1000"), "\(result.err)")
        }

        @Test func ctlFollowersEndOnSigtermAndOnAClosedPipe() throws {
            try project.write("Procfile", "web: echo $$ > web.pid; while true; do echo tick; sleep 0.05; done\n")
            let orch = try Running(["up"], in: project.path, environment: env)
            defer { orch.ensureStopped() }
            #expect(orch.waitForLine(containing: "web  | tick"))
            #expect(eventually(timeout: 10) { (try? runToEnd(["ctl", "ps"], in: self.project.path, environment: self.env).code) == 0 })

            let follower = try Running(["ctl", "logs", "-f"], in: project.path, environment: env)
            defer { follower.ensureStopped() }
            #expect(follower.waitForLine(containing: "tick"))
            follower.signal(SIGTERM)
            #expect(follower.waitForExit(timeout: 10) == 128 + SIGTERM, "SIGTERM ends orch ctl logs -f")

            let events = try Running(["ctl", "events"], in: project.path, environment: env)
            defer { events.ensureStopped() }
            #expect(events.waitFor("subscribed") { $0.stderr.contains("following events") })
            events.signal(SIGINT)
            #expect(events.waitForExit(timeout: 10) == 128 + SIGINT, "Ctrl-C ends orch ctl events")

            let script = "'\(orchBinary())' ctl logs -f | head -n 2; echo head-done"
            let piped = try Running(["-c", script], in: project.path, environment: env, executable: "/bin/sh")
            defer { piped.ensureStopped() }
            #expect(piped.waitForExit(timeout: 15) == 0, "orch ctl logs -f | head ends")
            #expect(piped.stdout.hasSuffix("head-done\n"), "\(piped.stdout)")

            orch.signal(SIGTERM)
            #expect(orch.waitForExit() == 0)
        }

        @Test func tcpProbeWithAHostNameFailsCheck() throws {
            try project.write("orch.yaml", """
            processes:
              db:
                command: exec sleep 30
                ready: { tcp: "db.local:5432" }
            """)
            let result = try runToEnd(["check"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("'db.local' is a host name"), "\(result.err)")
        }

        @Test func logRotationHoldsToMaxSizeForBursts() throws {
            try project.write("orch.yaml", """
            processes:
              spam:
                command: 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done'
                kind: job
                log: { file: logs/spam.log, max_size: 1K, keep: 2 }
            """)
            let result = try runToEnd(["up", "--no-control"], in: project.path)
            #expect(result.code == 0)
            for name in ["logs/spam.log", "logs/spam.log.1", "logs/spam.log.2"] {
                let size = try #require(project.read(name), "\(name)").utf8.count
                #expect(size <= 1024, "\(name) has \(size) bytes")
            }
            try #expect(#require(project.read("logs/spam.log")).hasSuffix("line 499\n"))
        }

        @Test func runWithJSONLogsPrintsItsSummaryAsJSON() throws {
            try project.write("orch.yaml", """
            processes:
              tests: { command: echo ok, kind: job }
            """)
            let result = try runToEnd(["run", "--no-control", "--log-format", "json"], in: project.path)
            #expect(result.code == 0)
            for line in result.out.split(separator: "\n") {
                do { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) } catch { Issue.record("\(String(line)): \(error)") }
            }
            #expect(result.out.contains(#""summary":[{"process":"tests","result":"succeeded""#), "\(result.out)")
        }

        @Test func reloadRereadsTheFileOrchStartedWith() throws {
            try project.write("Procfile.dev", "web: echo v1; exec sleep 1000\n")
            let orch = try Running(["up", "-f", "Procfile.dev"], in: project.path, environment: env)
            defer { orch.ensureStopped() }
            #expect(orch.waitForLine(containing: "web  | v1"))
            #expect(eventually(timeout: 10) { (try? runToEnd(["ctl", "ps"], in: self.project.path, environment: self.env).code) == 0 })
            // Another config appears beside it: reload must not switch to it.
            try project.write("orch.yaml", "processes:\n  other: { command: exec sleep 1000 }\n")
            try project.write("Procfile.dev", "web: echo v2; exec sleep 1000\n")
            let result = try runToEnd(["ctl", "reload"], in: project.path, environment: env)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out == "restarted: web\n")
            #expect(orch.waitForLine(containing: "web  | v2"))
            orch.signal(SIGTERM)
            #expect(orch.waitForExit() == 0)
        }
    }
}
