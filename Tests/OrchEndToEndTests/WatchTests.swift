import Foundation
import Testing

extension EndToEnd {
    /// `watch:` restarts processes when their files change, with the real binary.
    final class WatchTests: ProjectTestCase {

        @Test func editedFileRestartsTheProcessIgnoredOnesDoNot() throws {
            try project.write("app/models/user.rb", "v1\n")
            try project.write("app/tmp/keep", "")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [app], ignore: ["*.log", tmp/], debounce: 50ms }
              other:
                command: echo $$ > other.pid; exec sleep 1000
            """)
            let run = try Running(["up", "--no-control"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "web   | web up"))
            let first = try #require(project.read("web.pid"))

            // Ignored changes: a log file anywhere, anything under tmp/.
            try project.write("app/debug.log", "noise\n")
            try project.write("app/tmp/cache", "noise\n")
            // A real change, after the ignored ones, so the first restart names it.
            try project.write("app/models/user.rb", "v2\n")
            #expect(run.waitForLine(containing: "orch  | web changed: app/models/user.rb"))
            #expect(run.waitFor("a second web") { $0.stdout.components(separatedBy: "web   | web up").count == 3 })
            #expect(!(run.stdout.contains("debug.log")), "\(run.stdout)")
            #expect(!(run.stdout.contains("tmp/cache")), "\(run.stdout)")
            #expect(!(isAlive(Int32(first.trimmingCharacters(in: .whitespacesAndNewlines))!)), "the old web is gone")
            #expect(run.stdout.components(separatedBy: "other started").count == 2, "other is left alone")

            // A directory created after start is watched too.
            try project.write("app/new/deep/thing.rb", "x\n")
            #expect(run.waitForLine(containing: "web changed: app/new"))
            #expect(run.waitFor("a third web") { $0.stdout.components(separatedBy: "web   | web up").count == 4 })

            let pids = project.recordedPids()
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
        }

        @Test func watchedJobRunsAgainOnChange() throws {
            try project.write("src/main.txt", "one\n")
            try project.write("orch.yaml", """
            processes:
              tests:
                command: echo "testing $(cat src/main.txt)"
                kind: job
                watch: { paths: [src/main.txt], debounce: 20ms }
              web:
                command: echo $$ > web.pid; exec sleep 1000
            """)
            let run = try Running(["up", "--no-control"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "tests | testing one"))
            #expect(run.waitForLine(containing: "tests exited with exit code 0"))
            try project.write("src/main.txt", "two\n")
            #expect(run.waitForLine(containing: "tests | testing two"))
            let pids = project.recordedPids()
            run.signal(SIGINT)
            #expect(run.waitForExit() == 0)
            assertAllGone(pids)
        }

        @Test func missingWatchPathIsReported() throws {
            try project.write("orch.yaml", """
            processes:
              web:
                command: exec sleep 1000
                watch: [does-not-exist]
            """)
            let run = try Running(["up", "--no-control"], in: project.path)
            defer { run.ensureStopped() }
            #expect(run.waitForLine(containing: "web: cannot watch does-not-exist: No such file or directory"))
            run.signal(SIGTERM)
            #expect(run.waitForExit() == 0)
        }
    }
}

extension EndToEnd {
    /// `pty: true` and `log: {file}`.
    final class OutputOptionsTests: ProjectTestCase {

        @Test func ptyGivesTheChildATerminalAndPlainLines() throws {
            try project.write("orch.yaml", """
            processes:
              tty:
                command: 'if [ -t 1 ]; then echo "terminal yes"; else echo "terminal no"; fi; printf "a\\nb\\n"'
                kind: job
                pty: true
              pipe:
                command: 'if [ -t 1 ]; then echo "terminal yes"; else echo "terminal no"; fi'
                kind: job
            """)
            let result = try runToEnd(["up", "--no-control"], in: project.path)
            #expect(result.code == 0)
            let lines = result.out.split(separator: "\n").map(String.init)
            #expect(lines.contains("tty  | terminal yes"), "\(result.out)")
            #expect(lines.contains("tty  | a") && lines.contains("tty  | b"), "no \\r at line ends: \(result.out.debugDescription)")
            #expect(lines.contains("pipe | terminal no"), "\(result.out)")
        }

        @Test func logFileGetsWholeLinesAndRotates() throws {
            try project.write("orch.yaml", """
            processes:
              writer:
                command: 'for i in 1 2 3 4 5 6 7 8; do echo "line $i"; sleep 0.02; done; printf "last"'
                kind: job
                log: { file: logs/writer.log, max_size: 20, keep: 2 }
            """)
            let result = try runToEnd(["up", "--no-control"], in: project.path)
            #expect(result.code == 0)
            #expect(result.out.contains("writer | line 8"), "\(result.out)")
            let current = try #require(project.read("logs/writer.log"))
            #expect(project.read("logs/writer.log.1") != nil, "rotated at least once")
            #expect(project.read("logs/writer.log.3") == nil, "keeps 2 rotated files")
            let kept = [project.read("logs/writer.log.2"), project.read("logs/writer.log.1"), current].compactMap { $0 }.joined()
            #expect(kept.hasSuffix("line 8\nlast\n"), "\(kept.debugDescription)")
            let keptLines = kept.split(separator: "\n").map(String.init)
            let all = (1...8).map { "line \($0)" } + ["last"]
            #expect(Array(all.suffix(keptLines.count)) == keptLines, "whole lines, in order, newest kept")
        }

        @Test func timestampsAndJSONLogFormat() throws {
            try project.write("Procfile", "web: echo 'say \"hi\"'; printf 'tab\\there'\n")
            var result = try runToEnd(["up", "--no-control", "--timestamps"], in: project.path)
            #expect(result.code == 0)
            let stamped = result.out.split(separator: "\n").map(String.init)
            #expect(stamped.contains { $0.range(of: #"^\d\d:\d\d:\d\d\.\d\d\d web  \| say "hi"$"#, options: .regularExpression) != nil }, "\(result.out)")
            #expect(stamped.contains { $0.range(of: #"^\d\d:\d\d:\d\d\.\d\d\d orch \| web started \(pid \d+\)$"#, options: .regularExpression) != nil }, "\(result.out)")

            result = try runToEnd(["up", "--no-control", "--log-format", "json"], in: project.path)
            #expect(result.code == 0)
            let objects = try result.out.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]) }
            #expect(objects.contains { $0["process"] == "web" && $0["line"] == "say \"hi\"" }, "\(result.out)")
            #expect(objects.contains { $0["process"] == "web" && $0["line"] == "tab\there" }, "\(result.out)")
            #expect(objects.contains { $0["process"] == "orch" && $0["event"]?.hasPrefix("web started (pid ") == true }, "\(result.out)")
            #expect(objects.allSatisfy { $0["ts"]?.hasSuffix("Z") == true })
        }
    }
}
