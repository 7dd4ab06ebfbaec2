import Foundation
import Testing
@testable import OrchConfig

/// `orch export systemd`: the generated units against golden files, and values
/// that must survive systemd's unquoting, specifiers and variable expansion.
@Suite struct SystemdExportTests {
    /// A project written into a fresh directory and loaded as `orch check` would,
    /// with a fixed environment so the golden files do not depend on the machine.
    struct Fixture {
        let directory: String

        init(_ files: [String: String]) throws {
            directory = FileManager.default.temporaryDirectory.path + "/orch-export-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, text) in files {
                try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            }
        }

        func export(formation: [String: Int] = [:], user: Bool = false) throws -> ExportResult {
            let options = LoadOptions(workingDirectory: directory, formation: formation,
                                      environment: ["HOME": "/home/me", "PATH": "/usr/bin:/bin", "SECRET_OF_THE_SHELL": "x"])
            let spec = try ConfigLoader.load(options).spec
            let source = ConfigLoader.isYAML(spec.configFile) ? "orch.yaml" : "Procfile"
            return try SystemdExporter().export(spec, options: ExportOptions(app: "shop", user: user, source: source))
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    /// Compares every file with `Golden/NAME/FILE` (the project directory written as
    /// `@DIR@`); `ORCH_UPDATE_GOLDEN=1 swift test` rewrites them.
    func expectGolden(_ result: ExportResult, _ name: String, directory: String) throws {
        let golden = Self.goldenDirectory + "/" + name
        let update = ProcessInfo.processInfo.environment["ORCH_UPDATE_GOLDEN"] == "1"
        if update {
            try? FileManager.default.removeItem(atPath: golden)
            try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
        }
        for file in result.files {
            let text = file.contents.replacingOccurrences(of: directory, with: "@DIR@")
            let path = golden + "/" + file.name
            if update { try text.write(toFile: path, atomically: true, encoding: .utf8) }
            let expected = try? String(contentsOfFile: path, encoding: .utf8)
            #expect(text == expected, "\(name)/\(file.name) differs from the golden file (ORCH_UPDATE_GOLDEN=1 rewrites it)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: golden).sorted()
        #expect(names == result.files.map(\.name).sorted())
    }

    /// `systemd-analyze verify` accepts every file: exit 0 and nothing on stderr
    /// (it only warns about an unknown key or a bad value, and exits 0).
    func expectSystemdAccepts(_ result: ExportResult, in directory: String) throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("systemd-analyze is not installed: apt-get install systemd (.ci/run does)")
            return
        }
        let units = directory + "/units"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        for file in result.files { try file.contents.write(toFile: units + "/" + file.name, atomically: true, encoding: .utf8) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", "--man=no"] + result.files.map { units + "/" + $0.name }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "systemd-analyze verify: \(text)")
        #expect(text.isEmpty, "systemd-analyze verify: \(text)")
    }

    @Test func procfileWithFormation() throws {
        let fixture = try Fixture([
            "Procfile": """
            web: bundle exec puma -p $PORT -C config/puma.rb
            worker: bundle exec sidekiq -c ${CONCURRENCY:-5} # 100% busy
            clock: echo "tick \\"$(date)\\"" && sleep 60
            """,
            ".env": "RACK_ENV=production\nDATABASE_URL='postgres://u:p%40ss@localhost/shop'\n",
        ])
        defer { fixture.remove() }
        let result = try fixture.export(formation: ["web": 2])
        try expectGolden(result, "systemd-procfile", directory: fixture.directory)
        try expectSystemdAccepts(result, in: fixture.directory)
        // orch's own environment is not copied into the units.
        #expect(!result.files.contains { $0.contents.contains("SECRET_OF_THE_SHELL") || $0.contents.contains("PATH=") })
    }

    @Test func yamlWithDependenciesJobStopAndReplicas() throws {
        let fixture = try Fixture([
            "orch.yaml": """
            env:
              LOG_LEVEL: info
            processes:
              db:
                command: exec postgres -D ./data -p $PORT
                ready: { tcp: $PORT, interval: 500ms }
                stop: { signal: INT, timeout: 30s }
              cache:
                command: exec redis-server --port $PORT
                optional: true
                restart: always
                backoff: { initial: 2s, max: 2s }
              migrate:
                command: ./bin/migrate --to latest
                kind: job
                depends_on: { db: ready }
                timeout: 10m
              seed:
                command: ./bin/seed
                kind: job
                depends_on: { migrate: completed }
              console:
                command: exec ./bin/console
                autostart: false
              report:
                command: ./bin/report
                kind: job
                timeout: 90s
              web:
                command: exec ./server --port $PORT --greeting 'hello "world"'
                replicas: 3
                depends_on: { migrate: succeeded, seed: completed, cache: started }
                env: { URL: "http://localhost:${PORT}/" }
                ready: { exec: "curl -fs http://127.0.0.1:$PORT/health", retries: 5, initial_delay: 1s }
                max_restarts: 10
                stop: { signal: QUIT, timeout: 1500ms }
              admin:
                command: exec ./admin
                ready: { http: "http://127.0.0.1:$PORT/" }
                watch: { paths: [app] }
                replicas: 0
            """,
        ])
        defer { fixture.remove() }
        let result = try fixture.export()
        try expectGolden(result, "systemd-yaml", directory: fixture.directory)
        try expectSystemdAccepts(result, in: fixture.directory)
        #expect(result.notes.contains("admin: 0 replicas, no unit written"))
    }

    @Test func userUnitsAreWantedByDefaultTarget() throws {
        let fixture = try Fixture(["Procfile": "web: exec ./web\n"])
        defer { fixture.remove() }
        let target = try #require(try fixture.export(user: true).files.first { $0.name == "shop.target" })
        #expect(target.contents.contains("WantedBy=default.target\n"))
        #expect(target.contents.contains("Wants=shop-web.service\n"))
    }

    @Test func headerNamesTheApp() {
        let line = Exporters.headerLine(format: "systemd", options: ExportOptions(app: "shop", source: "orch.yaml"))
        #expect(Exporters.isGenerated(line + "[Unit]\n"))
        #expect(Exporters.generatedApp(line + "[Unit]\n") == "shop")
        #expect(Exporters.generatedApp("[Unit]\nDescription=mine\n") == nil)
        #expect(!Exporters.isGenerated("# Generated by orchestra\n"))
    }

    @Test(arguments: [
        ("shop", true), ("my_app-2.x", true), ("", false), ("-x", false), (".x", false), ("a b", false), ("a/b", false), ("café", false),
    ])
    func appNames(name: String, valid: Bool) {
        #expect(Exporters.validApp(name) == valid)
    }

    @Test(arguments: [("/srv/My App", "My-App"), ("/", "orch"), ("/home/me/shop", "shop"), ("/x/.hidden", "hidden")])
    func defaultAppName(directory: String, app: String) {
        #expect(Exporters.defaultApp(directory: directory) == app)
    }

    @Test(arguments: [
        (Duration.seconds(5), "5s"), (.milliseconds(250), "250ms"), (.milliseconds(1500), "1500ms"), (.microseconds(10), "10us"), (.zero, "0s"),
    ])
    func timeSpans(duration: Duration, text: String) {
        #expect(SystemdSyntax.timeSpan(duration) == text)
    }

    /// Commands and values that systemd would mangle without escaping.
    static let awkward: [String] = [
        "echo 100% done",
        "echo $HOME ${HOME} $$ $1 \"$@\"",
        "printf '%s\\n' \"it's\" 'say \"hi\"'",
        "echo back\\slash \\\\server\\share \\n \\x41",
        "echo a; echo b ; echo c",
        "echo \"%n %i %% %%%\"",
        "line one\nline two\n\ttabbed",
        "  leading and trailing spaces  ",
        "echo ünïcødé ✓",
        "echo '' \"\" ;",
        "\\",
        "a\rb\u{7}c",
    ]

    @Test(arguments: awkward)
    func execArgumentsRoundTrip(command: String) throws {
        let line = "ExecStart=/bin/sh -c \(SystemdSyntax.execArgument(command))"
        let unit = try SystemdUnitParser.parse("[Service]\n\(line)\n")
        let value = try #require(unit["Service", "ExecStart"].first)
        #expect(try SystemdUnitParser.execArguments(value, environment: ["HOME": "/root"]) == ["/bin/sh", "-c", command])
    }

    @Test(arguments: awkward.filter { SystemdSyntax.isValidEnvironmentValue($0) })
    func environmentRoundTrips(value: String) throws {
        let line = "Environment=\(SystemdSyntax.environmentAssignment(key: "VALUE", value: value))"
        let unit = try SystemdUnitParser.parse("[Service]\n\(line)\n")
        let setting = try #require(unit["Service", "Environment"].first)
        #expect(try SystemdUnitParser.environment(setting) == ["VALUE": value])
    }

    /// The generated units of a project with awkward commands read back as the commands.
    @Test func unitCommandsRoundTrip() throws {
        var procfile = ""
        let commands = Self.awkward.filter { !$0.contains("\n") && !$0.contains("\r") && !$0.contains("\u{7}") && $0.trimmingCharacters(in: .whitespaces) == $0 && $0 != "\\" }
        for (i, command) in commands.enumerated() { procfile += "p\(i): \(command)\n" }
        let fixture = try Fixture(["Procfile": procfile, ".env": "QUOTED=\"say \\\"100%\\\" \\\\o/ $$ \\n\"\n"])
        defer { fixture.remove() }
        let result = try fixture.export()
        for (i, command) in commands.enumerated() {
            let file = try #require(result.files.first { $0.name == "shop-p\(i).service" })
            let unit = try SystemdUnitParser.parse(file.contents)
            let exec = try #require(unit["Service", "ExecStart"].first)
            #expect(try SystemdUnitParser.execArguments(exec, environment: [:]) == ["/bin/sh", "-c", command])
            var environment: [String: String] = [:]
            for setting in unit["Service", "Environment"] { environment.merge(try SystemdUnitParser.environment(setting)) { $1 } }
            #expect(environment["QUOTED"] == "say \"100%\" \\o/ $$ \n")
            #expect(environment["PORT"] == String(5000 + 100 * i))
            #expect(unit["Service", "WorkingDirectory"] == [fixture.directory])
        }
    }

    /// The readiness loop, read back from the unit and run as systemd would run it
    /// (its argv, Environment= and WorkingDirectory=): it retries until the check
    /// passes, and gives up after `retries` failed checks plus one.
    @Test(arguments: [false, true])
    func readinessLoopRunsAsSystemdWouldRunIt(ready: Bool) throws {
        let fixture = try Fixture(["orch.yaml": """
            processes:
              web:
                command: exec ./web
                ready: { exec: "echo \\"$PORT 100%\\" >> checks; test -f ready", retries: 2, interval: 10ms }
            """])
        defer { fixture.remove() }
        if ready { try "".write(toFile: fixture.directory + "/ready", atomically: true, encoding: .utf8) }
        let file = try #require(try fixture.export().files.first { $0.name == "shop-web.service" })
        let unit = try SystemdUnitParser.parse(file.contents)
        var environment: [String: String] = ["PATH": "/usr/bin:/bin"]
        for setting in unit["Service", "Environment"] { environment.merge(try SystemdUnitParser.environment(setting)) { $1 } }
        let post = try #require(unit["Service", "ExecStartPost"].first)
        let argv = try SystemdUnitParser.execArguments(post, environment: environment)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: try #require(unit["Service", "WorkingDirectory"].first))
        try process.run()
        process.waitUntilExit()
        let checks = try String(contentsOfFile: fixture.directory + "/checks", encoding: .utf8)
        #expect(process.terminationStatus == (ready ? 0 : 1))
        #expect(checks == String(repeating: "5000 100%\n", count: ready ? 1 : 3))
    }

    @Test(arguments: [
        ("/srv/my app", "/srv/my app"), ("/srv/100%", "/srv/100%%"), ("/srv/a\"b'c", "/srv/a\"b'c"),
    ])
    func plainValuesKeepSpacesAndQuotesAndDoublePercent(value: String, written: String) {
        #expect(SystemdSyntax.plainValue(value) == written)
    }

    @Test(arguments: ["/srv/line\nbreak", " /srv/x", "/srv/x ", "/srv/x\\", "/srv/\u{7}"])
    func plainValuesThatAUnitCannotHold(value: String) {
        #expect(SystemdSyntax.plainValue(value) == nil)
    }

    @Test func overlongUnitNamesAreRefused() throws {
        let fixture = try Fixture(["Procfile": "webserver: exec ./web\n"])
        defer { fixture.remove() }
        let spec = try ConfigLoader.load(LoadOptions(workingDirectory: fixture.directory, environment: [:])).spec
        let app = String(repeating: "a", count: 240)
        // The name is quoted as any value: its first 200 characters.
        #expect(throws: ExportError("unit name '\(app.prefix(200))…' is longer than systemd's 255 characters: use a shorter --app")) {
            try SystemdExporter().export(spec, options: ExportOptions(app: app, source: "Procfile"))
        }
    }

    @Test func controlCharactersInEnvironmentAreRefused() throws {
        let fixture = try Fixture(["orch.yaml": "processes:\n  web:\n    command: exec ./web\n    env: { BELL: \"a\\u0007b\" }\n"])
        defer { fixture.remove() }
        #expect(throws: ExportError.self) { try fixture.export() }
    }

    @Test func probeScriptsRetryAndGiveUp() {
        let forever = ReadyProbe(check: .tcp(host: "127.0.0.1", port: "5000"), interval: .milliseconds(250))
        #expect(SystemdExporter.probeScript(forever) == "until timeout 1 /bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/5000' >/dev/null 2>&1; do sleep 0.25; done")
        let limited = ReadyProbe(check: .exec(command: "test -f 'it'\"'\"'s'"), interval: .seconds(2), timeout: .milliseconds(500), retries: 2, initialDelay: .seconds(1))
        #expect(SystemdExporter.probeScript(limited) == "sleep 1; n=0; until timeout 0.5 /bin/sh -c 'test -f '\\''it'\\''\"'\\''\"'\\''s'\\''' >/dev/null 2>&1; do n=$((n+1)); [ $n -le 2 ] || exit 1; sleep 2; done")
        #expect(SystemdExporter.probeScript(ReadyProbe(check: .http(url: "http://x/"))) == nil)
    }
}
