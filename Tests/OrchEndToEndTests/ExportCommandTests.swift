import Foundation
import Testing

extension EndToEnd {
    /// `orch export`, driven as a user would: the built binary writes units into a
    /// directory, and systemd's own `systemd-analyze verify` checks them.
    @Suite struct ExportCommandTests {
        static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }

        static let yaml = """
        env:
          GREETING: 'say "100%" to $$USER \\o/'
        processes:
          db:
            command: exec python3 -m http.server $PORT --bind 127.0.0.1
            ready: { tcp: $PORT }
            stop: { signal: INT, timeout: 10s }
          migrate:
            command: echo "migrating 100%" && test -n "$PORT"
            kind: job
            depends_on: { db: ready }
          web:
            command: |
              printf '%s\\n' "web on $PORT" \\
                && exec sleep 1000
            replicas: 2
            depends_on: { migrate: succeeded }
            ready: { exec: "test -n \\"$PORT\\"", retries: 3 }
            restart: always
            max_restarts: 4
          flaky:
            command: exec ./flaky.sh
            ready: { http: "http://127.0.0.1:$PORT/" }
        """

        func project(_ files: [String: String]) throws -> Project {
            let project = try Project(files)
            return project
        }

        @Test func listsTheFormats() throws {
            let project = try project([:])
            defer { project.cleanup() }
            let result = try runToEnd(["export"], in: project.path)
            #expect(result.code == 0)
            #expect(result.out.contains("  systemd  systemd units: one service per process instance and APP.target"), "\(result.out)")
            let unknown = try runToEnd(["export", "sytemd", "out"], in: project.path)
            #expect(unknown.code == 2)
            #expect(unknown.err == "orch: unknown export format 'sytemd' (did you mean 'systemd'?); formats: systemd\n")
        }

        @Test func writesUnitsThatSystemdAccepts() throws {
            let project = try project(["orch.yaml": Self.yaml])
            defer { project.cleanup() }
            let result = try runToEnd(["export", "systemd", "units", "--app", "shop"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out == """
            wrote units/shop-db.service
            wrote units/shop-migrate.service
            wrote units/shop-web.1.service
            wrote units/shop-web.2.service
            wrote units/shop-flaky.service
            wrote units/shop.target

            """)
            #expect(result.err.contains("orch: note: flaky: http http://127.0.0.1:5300/ readiness probe not exported (exec and tcp probes are)"), "\(result.err)")
            let web = try #require(project.read("units/shop-web.2.service"))
            #expect(web.contains("Environment=\"PORT=5201\"\n"))
            #expect(web.contains("ExecStart=/bin/sh -c \"printf '%%s\\\\n' \\\"web on $$PORT\\\" \\\\\\n  && exec sleep 1000\\n\"\n"), "\(web)")
            #expect(web.contains("Environment=\"GREETING=say \\\"100%%\\\" to $USER \\\\o/\"\n"), "\(web)")
            try verify(project, ["shop-db.service", "shop-migrate.service", "shop-web.1.service", "shop-web.2.service", "shop-flaky.service", "shop.target"])
        }

        @Test func userUnitsFromAProcfile() throws {
            let project = try project(["Procfile": "web: exec python3 -m http.server $PORT\nworker: while true; do echo \"100% $$\"; sleep 1; done\n"])
            defer { project.cleanup() }
            let result = try runToEnd(["export", "systemd", "out", "--user", "-m", "worker=2"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            let app = URL(fileURLWithPath: project.path).lastPathComponent
            let target = try #require(project.read("out/\(app).target"))
            #expect(target.contains("Wants=\(app)-web.service \(app)-worker.1.service \(app)-worker.2.service\n"))
            #expect(target.contains("WantedBy=default.target\n"))
            try verify(project, ["\(app)-web.service", "\(app)-worker.1.service", "\(app)-worker.2.service", "\(app).target"], directory: "out", user: true)
        }

        @Test func keepsTheUsersFilesAndRemovesItsOwnStaleOnes() throws {
            let project = try project(["Procfile": "web: exec ./web\nworker: exec ./worker\n", "out/shop-web.service": "[Service]\nExecStart=/bin/true\n"])
            defer { project.cleanup() }
            var result = try runToEnd(["export", "systemd", "out", "-a", "shop"], in: project.path)
            #expect(result.code == 1)
            #expect(result.err == "orch: out already has shop-web.service, which orch did not write: move it away or pass --force to overwrite\n")
            #expect(project.read("out/shop-web.service") == "[Service]\nExecStart=/bin/true\n")
            #expect(project.read("out/shop-worker.service") == nil, "nothing is written when a file is refused")

            result = try runToEnd(["export", "systemd", "out", "-a", "shop", "--force"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            #expect(project.read("out/shop-web.service")?.hasPrefix("# Generated by orch export systemd for app shop from Procfile;") == true)

            // Another app's units in the same directory are not this app's to remove.
            try project.write("Procfile", "web: exec ./web\n")
            try project.write("out/shop-admin-web.service", "# Generated by orch export systemd for app shop-admin from Procfile; it rewrites this file.\n")
            result = try runToEnd(["export", "systemd", "out", "-a", "shop"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out == "wrote out/shop-web.service\nwrote out/shop.target\nremoved out/shop-worker.service (no longer in the config)\n")
            #expect(project.read("out/shop-worker.service") == nil)
            #expect(project.read("out/shop-admin-web.service") != nil)
        }

        @Test func badArgumentsSayWhatToDo() throws {
            let project = try project(["Procfile": "web: exec ./web\n", "file": "x"])
            defer { project.cleanup() }
            var result = try runToEnd(["export", "systemd"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err == "orch: export systemd needs a directory to write into, e.g. `orch export systemd ./systemd`\n")
            result = try runToEnd(["export", "systemd", "out", "--app", "my app"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err == "orch: cannot export Procfile: app name 'my app' is not a valid unit name prefix: use letters, digits, '_', '-' and '.'\n")
            result = try runToEnd(["export", "systemd", "file"], in: project.path)
            #expect(result.code == 2)
            #expect(result.err == "orch: file is not a directory\n")
        }

        /// `systemd-analyze verify` on the files: exit 0 and not a word on stderr
        /// (an unknown key, a bad quote or a missing binary are all reported there).
        func verify(_ project: Project, _ names: [String], directory: String = "units", user: Bool = false) throws {
            guard let analyze = Self.systemdAnalyze else {
                Issue.record("systemd-analyze is not installed: apt-get install systemd (.ci/run does)")
                return
            }
            let paths = names.map { project.path + "/\(directory)/" + $0 }
            let run = try Running((user ? ["--user"] : []) + ["verify", "--man=no"] + paths, in: project.path,
                                  environment: ["XDG_RUNTIME_DIR": project.path], executable: analyze)
            defer { run.ensureStopped() }
            let result = (code: run.waitForExit(timeout: 60), err: run.stderr)
            #expect(result.code == 0, "systemd-analyze verify: \(result.err)")
            #expect(result.err.isEmpty, "systemd-analyze verify: \(result.err)")
        }
    }
}
