import Foundation
import XCTest

/// `watch:` restarts processes when their files change, with the real binary.
final class WatchTests: XCTestCase {
    var project: Project!

    override func setUpWithError() throws {
        project = try Project()
    }

    override func tearDown() {
        for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
        project.cleanup()
    }

    func testEditedFileRestartsTheProcessIgnoredOnesDoNot() throws {
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
        XCTAssertTrue(run.waitForLine(containing: "web   | web up"))
        let first = try XCTUnwrap(project.read("web.pid"))

        // Ignored changes: a log file anywhere, anything under tmp/.
        try project.write("app/debug.log", "noise\n")
        try project.write("app/tmp/cache", "noise\n")
        // A real change, after the ignored ones, so the first restart names it.
        try project.write("app/models/user.rb", "v2\n")
        XCTAssertTrue(run.waitForLine(containing: "orch  | web changed: app/models/user.rb"))
        XCTAssertTrue(run.waitFor("a second web") { $0.stdout.components(separatedBy: "web   | web up").count == 3 })
        XCTAssertFalse(run.stdout.contains("debug.log"), run.stdout)
        XCTAssertFalse(run.stdout.contains("tmp/cache"), run.stdout)
        XCTAssertFalse(isAlive(Int32(first.trimmingCharacters(in: .whitespacesAndNewlines))!), "the old web is gone")
        XCTAssertEqual(run.stdout.components(separatedBy: "other started").count, 2, "other is left alone")

        // A directory created after start is watched too.
        try project.write("app/new/deep/thing.rb", "x\n")
        XCTAssertTrue(run.waitForLine(containing: "web changed: app/new"))
        XCTAssertTrue(run.waitFor("a third web") { $0.stdout.components(separatedBy: "web   | web up").count == 4 })

        let pids = project.recordedPids()
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
        assertAllGone(pids)
    }

    func testWatchedJobRunsAgainOnChange() throws {
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
        XCTAssertTrue(run.waitForLine(containing: "tests | testing one"))
        XCTAssertTrue(run.waitForLine(containing: "tests exited with exit code 0"))
        try project.write("src/main.txt", "two\n")
        XCTAssertTrue(run.waitForLine(containing: "tests | testing two"))
        let pids = project.recordedPids()
        run.signal(SIGINT)
        XCTAssertEqual(run.waitForExit(), 0)
        assertAllGone(pids)
    }

    func testMissingWatchPathIsReported() throws {
        try project.write("orch.yaml", """
        processes:
          web:
            command: exec sleep 1000
            watch: [does-not-exist]
        """)
        let run = try Running(["up", "--no-control"], in: project.path)
        defer { run.ensureStopped() }
        XCTAssertTrue(run.waitForLine(containing: "web: cannot watch does-not-exist: No such file or directory"))
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0)
    }
}
