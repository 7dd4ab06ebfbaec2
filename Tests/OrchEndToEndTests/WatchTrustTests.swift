import Foundation
import Testing

extension EndToEnd {
    /// Watching with the real binary and real files: .gitignore, the config watching
    /// itself, the restart-loop guard, `--watch` for Procfiles, directories that come
    /// and go, editors' temporary files.
    @Suite(.serialized) final class WatchTrustTests {
        let project: Project

        init() throws {
            project = try Project()
        }

        deinit {
            for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
            project.cleanup()
        }

        // MARK: - Helpers

        func start(_ arguments: [String] = ["up", "--no-control"]) throws -> Running {
            try Running(arguments, in: project.path)
        }

        @discardableResult
        func waitFor(_ what: String, _ run: Running, timeout: TimeInterval = 30, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) -> Bool {
            if eventually(timeout: timeout, condition) { return true }
            Issue.record("timed out waiting for \(what)\n--- stdout:\n\(run.stdout.suffix(3000))\n--- stderr:\n\(run.stderr.suffix(2000))", sourceLocation: sourceLocation)
            return false
        }

        @discardableResult
        func waitForLine(_ text: String, _ run: Running, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
            waitFor("a line containing '\(text)'", run, sourceLocation: sourceLocation) { run.stdout.contains(text) }
        }

        func count(_ text: String, _ run: Running) -> Int { run.stdout.components(separatedBy: text).count - 1 }

        /// SIGTERM, then orch's exit code; checks nothing a child recorded survives.
        func stop(_ run: Running, sourceLocation: SourceLocation = #_sourceLocation) {
            let pids = project.recordedPids()
            run.signal(SIGTERM)
            if !eventually(timeout: 30, { !run.process.isRunning }) {
                Issue.record("orch did not stop\n\(run.stdout.suffix(2000))", sourceLocation: sourceLocation)
            }
            run.ensureStopped()
            #expect(run.process.terminationStatus == 0, sourceLocation: sourceLocation)
            #expect(eventually(timeout: 10) { pids.allSatisfy { !isAlive($0) } }, "survivors: \(pids.filter(isAlive))", sourceLocation: sourceLocation)
        }

        func pid(_ name: String) -> Int32? {
            project.read(name + ".pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        /// The inotify watches orch holds (`/proc/PID/fdinfo`).
        func inotifyWatches(of pid: Int32) -> Int {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            var total = 0
            for fd in fds where (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) == "anon_inode:inotify" {
                let info = (try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8)) ?? ""
                total += info.split(separator: "\n").filter { $0.hasPrefix("inotify wd:") }.count
            }
            return total
        }

        /// Deletes a file in place (`rm`), for the watcher to see.
        func remove(_ name: String) { try? FileManager.default.removeItem(atPath: project.path + "/" + name) }

        // MARK: - .gitignore

        @Test func gitIgnoredBuildDirectoryRestartsNothingAndIsNotWatched() throws {
            try project.write(".gitignore", "build/\nnode_modules/\n*.gen\n!keep.gen\n*.pid\n")
            try project.write("src/app.c", "v1\n")
            for i in 0..<40 { try project.write("node_modules/pkg\(i)/lib/index.js", "x\n") }
            try project.write("build/.keep", "")
            // The whole project is watched: the classic shape of the restart loop.
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [.], debounce: 50ms }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            // The project's directories (., src, build is ignored, node_modules is ignored).
            #expect(inotifyWatches(of: run.pid) <= 3, "ignored directories are not watched")
            // A build writing into its ignored output, in a loop; and ignored files elsewhere.
            for i in 0..<30 {
                try project.write("build/out\(i % 3).o", "\(i)\n")
                try project.write("src/app\(i % 2).gen", "\(i)\n")
                try project.write("node_modules/pkg1/lib/index.js", "\(i)\n")
            }
            // Then a real change: the first restart must name it and nothing else.
            try project.write("src/app.c", "v2\n")
            waitForLine("web changed: src/app.c, restarting", run)
            waitFor("the second web", run) { count("| web up", run) == 2 }
            #expect(!run.stdout.contains("build/"), "\(run.stdout)")
            #expect(!run.stdout.contains(".gen,"), "\(run.stdout)")
            // A negated pattern re-includes one file.
            try project.write("src/keep.gen", "x\n")
            waitForLine("web changed: src/keep.gen, restarting", run)
            stop(run)
            #expect(count("changed:", run) == 2, "\(run.stdout)")
        }

        @Test func nestedGitIgnoreAppliesToItsDirectory() throws {
            try project.write(".gitignore", "*.tmp\n")
            try project.write("app/lib/.gitignore", "!*.tmp\ngenerated/\n")
            try project.write("app/lib/code.rb", "x\n")
            try project.write("app/generated/code.rb", "x\n")
            try project.write("app/lib/generated/code.rb", "x\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [app], debounce: 50ms }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            try project.write("app/x.tmp", "ignored by the top .gitignore\n")
            try project.write("app/lib/generated/code.rb", "ignored by the nested one\n")
            try project.write("app/lib/y.tmp", "re-included by the nested one\n")
            waitForLine("web changed: app/lib/y.tmp, restarting", run)
            waitFor("the second web", run) { count("| web up", run) == 2 }
            // generated/ is ignored only below app/lib.
            try project.write("app/generated/code.rb", "counts\n")
            waitForLine("web changed: app/generated/code.rb, restarting", run)
            waitFor("the third web", run) { count("| web up", run) == 3 }
            // A .gitignore saved while orch runs applies at once, to watched directories too.
            try project.write("app/.gitignore", "generated/\n")
            waitForLine("web changed: app/.gitignore, restarting", run)
            waitFor("the fourth web", run) { count("| web up", run) == 4 }
            try project.write("app/generated/code.rb", "now ignored\n")
            try project.write("app/lib/code.rb", "counts\n")
            waitForLine("web changed: app/lib/code.rb, restarting", run)
            stop(run)
            #expect(count("app/generated/code.rb", run) == 1, "\(run.stdout)")
            #expect(!run.stdout.contains("x.tmp") && !run.stdout.contains("lib/generated"), "\(run.stdout)")
        }

        @Test func gitignoreFalseWatchesEverything() throws {
            try project.write(".gitignore", "build/\n")
            try project.write("app/build/out.o", "1\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [app], debounce: 50ms, gitignore: false }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            try project.write("app/build/out.o", "2\n")
            waitForLine("web changed: app/build/out.o, restarting", run)
            stop(run)
        }

        // MARK: - The config watches itself

        @Test func editingOrchYAMLAppliesTheDiff() throws {
            try project.write("orch.yaml", """
            processes:
              keep:
                command: echo $$ > keep.pid; echo "keep up"; exec sleep 1000
              change:
                command: echo $$ > change.pid; echo "change v1"; exec sleep 1000
              remove:
                command: echo $$ > remove.pid; trap 'echo "remove got INT"; exit 0' INT; echo "remove up"; while :; do sleep 0.1; done
                stop: { signal: INT }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("remove | remove up", run)
            waitForLine("change | change v1", run)
            let keep = try #require(pid("keep"))
            try project.write("orch.yaml", """
            processes:
              keep:
                command: echo $$ > keep.pid; echo "keep up"; exec sleep 1000
              change:
                command: echo $$ > change.pid; echo "change v2"; exec sleep 1000
              added:
                command: echo $$ > added.pid; echo "added up"; exec sleep 1000
            """)
            waitForLine("orch.yaml changed: restarted change, started added, stopped remove", run)
            waitForLine("change v2", run)
            waitForLine("added up", run)
            waitForLine("remove got INT", run)
            #expect(pid("keep") == keep && isAlive(keep), "an unchanged process is left alone")
            #expect(count("keep up", run) == 1)
            stop(run)
        }

        @Test func brokenEditKeepsTheStackAndSaysWhere() throws {
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            let web = try #require(pid("web"))
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                restrat: always
            """)
            waitForLine("orch.yaml changed but has errors; the running processes are kept as they are:", run)
            waitForLine("orch.yaml:4:5: unknown key 'restrat' in process 'web' (did you mean 'restart'?)", run)
            #expect(isAlive(web) && count("web up", run) == 1)
            stop(run)
        }

        @Test func editingAnEnvFileRestartsTheProcessesThatReadIt() throws {
            try project.write("web.env", "GREETING=hello\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web says $GREETING"; exec sleep 1000
                env_file: web.env
              worker:
                command: echo $$ > worker.pid; echo "worker up"; exec sleep 1000
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web says hello", run)
            waitForLine("worker up", run)
            let worker = try #require(pid("worker"))
            try project.write("web.env", "GREETING=bonjour\n")
            waitForLine("web.env changed: restarted web", run)
            waitForLine("web says bonjour", run)
            #expect(pid("worker") == worker && count("worker up", run) == 1)
            stop(run)
        }

        @Test(arguments: [["up", "--no-control", "--no-reload"], ["up", "--no-control"]])
        func reloadCanBeTurnedOff(_ arguments: [String]) throws {
            let topLevel = arguments.contains("--no-reload") ? "" : "reload: false\n"
            try project.write("orch.yaml", topLevel + """
            processes:
              web:
                command: echo $$ > web.pid; echo "web v1"; exec sleep 1000
            """)
            let run = try start(arguments)
            defer { run.ensureStopped() }
            waitForLine("web v1", run)
            try project.write("orch.yaml", topLevel + """
            processes:
              web:
                command: echo $$ > web.pid; echo "web v2"; exec sleep 1000
              marker:
                command: echo "marker up"
                kind: job
            """)
            // An absence: give the watcher ten times its debounce to (not) react.
            #expect(eventually(timeout: 2) { run.stdout.contains("changed") } == false)
            stop(run)
            #expect(!run.stdout.contains("web v2"))
        }

        // MARK: - Restart-loop guard

        @Test func loopGuardTripsOnAProcessThatWritesItsOwnWatchedFile() throws {
            try project.write("app/main.rb", "x\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "started" >> app/generated.rb; echo "web up"; exec sleep 1000
                watch: { paths: [app], debounce: 20ms }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("web restarted 5 times in 10s by file changes (app/generated.rb kept changing): watching paused; save another file or `orch ctl restart web` to resume", run)
            let ups = count("| web up", run)
            #expect(ups == 6)
            // It stays paused while the process keeps to itself...
            #expect(eventually(timeout: 1) { count("| web up", run) > ups } == false)
            // ... and the next manual save resumes it.
            try project.write("app/main.rb", "y\n")
            waitForLine("web changed: app/main.rb, restarting", run)
            stop(run)
            #expect(count("watching paused", run) == 1)
        }

        // MARK: - Procfile projects

        @Test func procfileProjectWatchesFromTheCommandLine() throws {
            try project.write("Procfile", """
            web: echo $$ > web.pid; echo "web up"; exec sleep 1000
            worker: echo $$ > worker.pid; echo "worker up"; exec sleep 1000
            """)
            try project.write("app/a.rb", "1\n")
            try project.write("lib/b.rb", "1\n")
            let run = try start(["up", "--no-control", "--watch", "web=app,lib", "--watch", "worker=lib"])
            defer { run.ensureStopped() }
            waitForLine("web    | web up", run)
            waitForLine("worker | worker up", run)
            try project.write("app/a.rb", "2\n")
            waitForLine("web changed: app/a.rb, restarting", run)
            waitFor("the second web", run) { count("web up", run) == 2 }
            try project.write("lib/b.rb", "2\n")
            waitForLine("worker changed: lib/b.rb, restarting", run)
            waitForLine("web changed: lib/b.rb, restarting", run)
            waitFor("a second worker", run) { count("worker up", run) == 2 }
            waitFor("a third web", run) { count("web up", run) == 3 }
            // Saving the Procfile keeps the command line's watches: web and worker are unchanged.
            try project.write("Procfile", """
            web: echo $$ > web.pid; echo "web up"; exec sleep 1000
            worker: echo $$ > worker.pid; echo "worker up"; exec sleep 1000
            extra: echo $$ > extra.pid; echo "extra up"; exec sleep 1000
            """)
            waitForLine("Procfile changed: started extra", run)
            waitForLine("extra up", run)
            stop(run)
            #expect(count("web up", run) == 3 && count("worker up", run) == 2, "\(run.stdout)")
            #expect(!run.stdout.contains("worker changed: app"))
        }

        @Test func watchFlagErrorsNameTheProcess() throws {
            try project.write("Procfile", "web: exec sleep 1000\n")
            let result = try runToEnd(["up", "--no-control", "--watch", "wbe=app"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err.contains("--watch: no process named 'wbe' (did you mean 'web'?)"), "\(result.err)")
            let malformed = try runToEnd(["up", "--no-control", "--watch", "web"], in: project.path)
            #expect(malformed.code == 2)
            #expect(malformed.err.contains("use NAME=PATH[,PATH…]"), "\(malformed.err)")
        }

        @Test func noWatchIgnoresTheConfigsWatches() throws {
            try project.write("app/a.rb", "1\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [app], debounce: 20ms }
            """)
            let run = try start(["up", "--no-control", "--no-watch"])
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            #expect(inotifyWatches(of: run.pid) == 1, "only the config's own directory")
            try project.write("app/a.rb", "2\n")
            #expect(eventually(timeout: 1) { run.stdout.contains("changed") } == false)
            stop(run)
        }

        // MARK: - Directories and editors

        @Test func emptyDirectoryIsNotAChangeAFileInItIs() throws {
            try project.write("app/a.rb", "1\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [app], debounce: 20ms }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            try FileManager.default.createDirectory(atPath: project.path + "/app/empty/deeper", withIntermediateDirectories: true)
            try project.write("app/empty/deeper/new.rb", "x\n")
            waitForLine("web changed: app/empty/deeper/new.rb, restarting", run)
            stop(run)
            #expect(count("changed:", run) == 1, "\(run.stdout)")
        }

        @Test func deletedAndRecreatedWatchedDirectoryIsWatchedAgain() throws {
            try project.write("app/a.rb", "1\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [app], debounce: 20ms }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            remove("app")
            waitForLine("web changed: app/a.rb, restarting", run)
            waitFor("the second web", run) { count("| web up", run) == 2 }
            try project.write("app/b.rb", "back\n")
            waitForLine("web changed: app/b.rb, restarting", run)
            waitFor("the third web", run) { count("| web up", run) == 3 }
            try project.write("app/b.rb", "edited after coming back\n")
            waitFor("a fourth web", run) { count("| web up", run) == 4 }
            stop(run)
        }

        @Test func sedInPlaceNamesTheEditedFile() throws {
            try project.write("app/config.rb", "value = 1\n")
            try project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ > web.pid; echo "web up"; exec sleep 1000
                watch: { paths: [app], debounce: 100ms }
            """)
            let run = try start()
            defer { run.ensureStopped() }
            waitForLine("| web up", run)
            let sed = Process()
            sed.executableURL = URL(fileURLWithPath: "/bin/sed")
            sed.arguments = ["-i", "s/1/2/", project.path + "/app/config.rb"]
            try sed.run()
            sed.waitUntilExit()
            waitForLine("web changed: app/config.rb, restarting", run)
            stop(run)
            #expect(!run.stdout.contains("app/sed"), "\(run.stdout)")
        }
    }
}

/// Whether this machine lets a test lower the inotify limit in a user namespace of
/// its own (`unshare -U -r`, `/proc/sys/user/max_inotify_watches`).
let canLowerInotifyLimit: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
    probe.arguments = ["-U", "-r", "sh", "-c", "echo 4 > /proc/sys/user/max_inotify_watches"]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return false }
    probe.waitUntilExit()
    return probe.terminationStatus == 0
}()

extension EndToEnd.WatchTrustTests {
    @Test(.enabled(if: canLowerInotifyLimit)) func watchLimitIsReportedOnceAndOrchKeepsRunning() throws {
        for i in 1...20 { try FileManager.default.createDirectory(atPath: project.path + "/app/d\(i)", withIntermediateDirectories: true) }
        try project.write("orch.yaml", """
        processes:
          web:
            command: echo $$ > web.pid; echo "web up"; exec sleep 1000
            watch: { paths: [app], debounce: 20ms }
        """)
        // A user namespace of the test's own, whose watch limit is 5.
        let run = try Running(["-U", "-r", "sh", "-c", "echo 5 > /proc/sys/user/max_inotify_watches && exec \"$0\" up --no-control", orchBinary()],
                              in: project.path, executable: "/usr/bin/unshare")
        defer { run.ensureStopped() }
        waitForLine("| web up", run)
        #expect(run.stdout.contains("orch | inotify watch limit reached (5): raise fs.inotify.max_user_watches; 22 watches needed, 5 in place: changes in the other 17 directories are not seen"), "\(run.stdout)")
        // New directories past the limit say nothing more; orch goes on.
        try FileManager.default.createDirectory(atPath: project.path + "/app/d1/more", withIntermediateDirectories: true)
        try project.write("app/d1/more/x.rb", "x\n")
        stop(run)
        #expect(count("watch limit", run) == 1)
    }
}

extension EndToEnd.WatchTrustTests {
    @Test func ctlRestartResumesPausedWatching() throws {
        let runtime = project.path + "/run"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        try project.write("orch.yaml", """
        processes:
          web:
            command: echo $$ > web.pid; echo "started" >> app/generated.rb; echo "web up"; exec sleep 1000
            watch: { paths: [app], debounce: 20ms }
        """)
        try project.write("app/main.rb", "x\n")
        let run = try Running(["up"], in: project.path, environment: ["XDG_RUNTIME_DIR": runtime])
        defer { run.ensureStopped() }
        waitForLine("watching paused", run)
        let restart = try runToEnd(["ctl", "restart", "web"], in: project.path, environment: ["XDG_RUNTIME_DIR": runtime])
        #expect(restart.code == 0, "\(restart.err)")
        // Watching is back: the process's own write restarts it again, until the guard trips again.
        waitFor("the guard to trip a second time", run) { count("watching paused", run) == 2 }
        stop(run)
    }
}

extension EndToEnd.WatchTrustTests {
    @Test func watchedDirectoryWhoseParentIsDeletedIsWatchedAgain() throws {
        try project.write("app/deep/er/a.rb", "1\n")
        try project.write("orch.yaml", """
        processes:
          web:
            command: echo $$ > web.pid; echo "web up"; exec sleep 1000
            watch: { paths: [app/deep/er], debounce: 20ms }
        """)
        let run = try start()
        defer { run.ensureStopped() }
        waitForLine("| web up", run)
        remove("app")
        waitForLine("web changed: app/deep/er/a.rb, restarting", run)
        waitFor("the second web", run) { count("| web up", run) == 2 }
        // Recreated three levels at once, as `mkdir -p` does.
        try project.write("app/deep/er/b.rb", "back\n")
        waitForLine("web changed: app/deep/er/b.rb, restarting", run)
        waitFor("the third web", run) { count("| web up", run) == 3 }
        stop(run)
    }
}
