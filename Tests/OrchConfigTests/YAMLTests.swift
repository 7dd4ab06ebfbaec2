import Foundation
import Testing
@testable import OrchConfig

final class YAMLLoadTests: ConfigTestCase {
    @Test func fullExampleWithEveryKey() throws {
        try write("shared.env", "SHARED=from-file\nRAILS_ENV=from-file\n")
        try write("web.env", "WEB_FILE=yes\n")
        try FileManager.default.createDirectory(atPath: Path.join(directory, "app"), withIntermediateDirectories: true)
        for path in ["run", "app/app", "app/config", "lib"] {
            try FileManager.default.createDirectory(atPath: Path.join(directory, path), withIntermediateDirectories: true)
        }
        let result = try loadYAML("""
            env_file: [shared.env]
            env: { RAILS_ENV: development, ROOT: "${HOME}/srv" }
            control: { port: 9999, socket: run/orch.sock }
            processes:
              db:
                command: postgres -D ./data -p $PORT
                ready: { tcp: $PORT, interval: 100ms, timeout: 2s, retries: 30, initial_delay: 1s }
                stop: { signal: SIGINT, timeout: 10s }
              migrate:
                command: bin/rails db:migrate
                kind: job
                depends_on: { db: ready }
              web:
                command: bin/rails server -p $PORT
                depends_on: { migrate: succeeded }
                replicas: 2
                restart: always
                backoff: { initial: 200ms, max: 1m, factor: 1.5, reset_after: 2m }
                max_restarts: 10
                stop: { signal: QUIT, timeout: 5s }
                watch: { paths: [app, config], ignore: ["*.log", tmp/], debounce: 300ms }
                cwd: ./app
                env: { WEB_CONCURRENCY: 2, URL: "http://localhost:$PORT", COST: "$$5" }
                env_file: web.env
                optional: true
                pty: yes
                port: 8000
                log: { file: "logs/web.log", max_size: 10MB, keep: 3 }
                ready: { http: "http://127.0.0.1:$PORT/health" }
              cron:
                command: bin/cron
                restart: no
                depends_on: [db, web]
                ready: { log: "ready to accept" }
                watch: [lib]
              check:
                command: pg_isready
                kind: job
                ready: { exec: "test -f /tmp/x" }
            """, options(environment: ["HOME": "/home/u"]))
        #expect(result.warnings == [])
        let spec = result.spec
        #expect(spec.processes.map(\.name) == ["db", "migrate", "web", "cron", "check"])
        #expect(spec.control == ControlSpec(port: 9999, socket: Path.join(directory, "run/orch.sock")))

        let db = spec.processes[0]
        #expect(db.line == 5)
        #expect(db.port == 5000)
        #expect(db.kind == .service)
        #expect(db.restart == .onFailure)
        #expect(db.backoff == Backoff(initial: .milliseconds(100), max: .seconds(30), factor: 2, resetAfter: .seconds(60)))
        #expect(db.ready == ReadyProbe(check: .tcp(host: "127.0.0.1", port: "$PORT"), interval: .milliseconds(100), timeout: .seconds(2), retries: 30, initialDelay: .seconds(1)))
        #expect(db.instance(replica: 0, of: 1).ready?.check == .tcp(host: "127.0.0.1", port: "5000"))
        #expect(db.stop == StopSpec(signal: 2, timeout: .seconds(10)))
        #expect(db.environment == ["HOME": "/home/u", "SHARED": "from-file", "RAILS_ENV": "development", "ROOT": "/home/u/srv"])

        let migrate = spec.processes[1]
        #expect(migrate.kind == .job)
        #expect(migrate.restart == .no)
        #expect(migrate.dependsOn == [Dependency(name: "db", condition: .ready)])
        #expect(migrate.port == 5100)

        let web = spec.processes[2]
        #expect(web.command == "bin/rails server -p $PORT")
        #expect(web.dependsOn == [Dependency(name: "migrate", condition: .succeeded)])
        #expect(web.replicas == 2)
        #expect(web.restart == .always)
        #expect(web.backoff == Backoff(initial: .milliseconds(200), max: .seconds(60), factor: 1.5, resetAfter: .seconds(120)))
        #expect(web.maxRestarts == 10)
        #expect(web.stop == StopSpec(signal: 3, timeout: .seconds(5)))
        #expect(web.cwd == Path.join(directory, "app"))
        #expect(web.watch == WatchSpec(paths: [Path.join(directory, "app/app"), Path.join(directory, "app/config")], ignore: ["*.log", "tmp/"], debounce: .milliseconds(300)))
        #expect(web.environment["WEB_CONCURRENCY"] == "2")
        #expect(web.environment["URL"] == "http://localhost:8000")
        #expect(web.environment["COST"] == "$5")
        #expect(web.environment["WEB_FILE"] == "yes")
        #expect(web.environment["PORT"] == nil)
        #expect(web.optional)
        #expect(web.pty)
        #expect(web.port == 8000)
        #expect(web.log == LogFileSpec(file: Path.join(directory, "app/logs/web.log"), maxSize: 10 << 20, keep: 3))
        #expect(web.ready?.check == .http(url: "http://127.0.0.1:$PORT/health"))
        #expect(web.instance(replica: 1, of: 2).ready?.check == .http(url: "http://127.0.0.1:8001/health"))
        #expect(web.instance(replica: 1, of: 2).environment["PORT"] == "8001")

        let cron = spec.processes[3]
        #expect(cron.restart == .no)
        #expect(cron.dependsOn == [Dependency(name: "db", condition: .started), Dependency(name: "web", condition: .started)])
        #expect(cron.ready?.check == .log(text: "ready to accept"))
        #expect(cron.watch?.paths == [Path.join(directory, "lib")])
        #expect(cron.port == 5300)

        let check = spec.processes[4]
        #expect(check.ready?.check == .exec(command: "test -f /tmp/x"))
        #expect(check.port == 5400)
    }

    @Test func environmentPrecedence() throws {
        try write(".env", "L=dotenv\nK=dotenv\nJ=dotenv\n")
        try write("top.env", "L=top-file\nK=top-file\nJ=top-file\nI=top-file\n")
        try write("proc.env", "L=proc-file\nM=proc-file\n")
        let spec = try loadYAML("""
            env_file: top.env
            env: { L: top-env, K: top-env, N: top-env }
            processes:
              web:
                command: x
                env_file: proc.env
                env: { L: proc-env, Q: "${M}+${N}+${J}+${I}+${H}" }
            """, options(environment: ["L": "orch", "H": "orch", "I": "orch"])).spec
        #expect(spec.processes[0].environment == [
            "L": "proc-env", "M": "proc-file", "K": "top-env", "N": "top-env", "J": "dotenv", "I": "top-file", "H": "orch",
            "Q": "proc-file+top-env+dotenv+top-file+orch",
        ])
    }

    @Test func envFileNamedTwiceIsReadOnceAndKeepsItsLayer() throws {
        try write(".env", "A=file\nbad line\n")
        let result = try loadYAML("""
            env_file: .env
            env: { A: top }
            processes:
              a: { command: x }
              b: { command: y, env_file: .env }
            """)
        #expect(result.spec.processes.map { $0.environment["A"] } == ["top", "file"])
        #expect(result.warnings.map(\.description) == [".env:2:1: expected KEY=value, found no '='; line skipped"])
    }

    @Test func interpolation() throws {
        try FileManager.default.createDirectory(atPath: Path.join(directory, "srv/web"), withIntermediateDirectories: true)
        let spec = try loadYAML("""
            env: { APP: web }
            processes:
              web:
                command: echo $APP $$ ${UNSET}
                cwd: srv/${APP}
                env: { A: "$$HOME", B: "${APP}-$APP", C: "[$UNSET]", D: "$B!" }
                log: { file: "${APP}.log" }
                watch: ["$$odd", "${UNSET}x"]
            """, options(environment: ["HOME": "/h"])).spec
        let web = spec.processes[0]
        #expect(web.command == "echo $APP $$ ${UNSET}")
        #expect(web.cwd == Path.join(directory, "srv/web"))
        #expect(web.environment["A"] == "$HOME")
        #expect(web.environment["B"] == "web-web")
        #expect(web.environment["C"] == "[]")
        #expect(web.environment["D"] == "web-web!")
        #expect(web.log?.file == Path.join(directory, "srv/web/web.log"))
        #expect(web.watch?.paths == [Path.join(directory, "srv/web/$odd"), Path.join(directory, "srv/web/x")])
    }

    @Test func processThatSetsPortKeepsIt() throws {
        let spec = try loadYAML("""
            processes:
              a: { command: x }
              b: { command: y, env: { PORT: "4000" } }
              c: { command: z }
            """, options(basePort: 6000)).spec
        #expect(spec.processes.map(\.port) == [6000, nil, 6200])
        #expect(spec.processes[1].environment["PORT"] == "4000")
        #expect(spec.processes[1].instance(replica: 0, of: 1).environment["PORT"] == "4000")
    }

    @Test func defaultsAndShorthands() throws {
        let spec = try loadYAML("""
            x-common: &common { kind: job, restart: "no" }
            processes:
              short: bin/short
              job:
                <<: *common
                command: j
                restart: always
              svc:
                command: s
                ready: { tcp: "localhost:5432" }
              six:
                command: s
                ready: { tcp: "[::1]:$PORT", http: null }
                replicas: "0"
              path:
                command: p
                ready: { http: /health }
                depends_on: [svc]
                log: out.log
            """).spec
        #expect(spec.processes.map(\.name) == ["short", "job", "svc", "six", "path"])
        #expect(spec.processes[0].command == "bin/short")
        #expect(spec.processes[0].restart == .onFailure)
        #expect(spec.processes[0].stop == StopSpec(signal: 15, timeout: .seconds(5)))
        #expect(spec.processes[1].kind == .job)
        #expect(spec.processes[1].restart == .always)
        #expect(spec.processes[2].ready?.check == .tcp(host: "localhost", port: "5432"))
        #expect(spec.processes[3].ready?.check == .tcp(host: "::1", port: "$PORT"))
        #expect(spec.processes[3].replicas == 0)
        #expect(spec.processes[4].ready?.check == .http(url: "http://127.0.0.1:$PORT/health"))
        #expect(spec.processes[4].log == LogFileSpec(file: Path.join(directory, "out.log")))
    }

    @Test func yamlOneOneNoIsRestartNo() throws {
        let spec = try loadYAML("processes:\n  a: { command: x, restart: no }\n  b: { command: y, restart: false }\n").spec
        #expect(spec.processes.map(\.restart) == [.no, .no])
    }

    @Test func formationOverridesYAMLReplicas() throws {
        let text = "processes:\n  a: { command: x, replicas: 3 }\n  b: { command: y }\n"
        try #expect(loadYAML(text, options(formation: ["all": 2])).spec.processes.map(\.replicas) == [3, 2])
        try #expect(loadYAML(text, options(formation: ["a": 0])).spec.processes.map(\.replicas) == [0, 1])
    }

    @Test func warnings() throws {
        let result = try loadYAML("""
            processes:
              a: { command: x, cwd: nowhere, port: 7000, env: { PORT: "1" } }
              b: { command: y, depends_on: [a] }
            """, options(formation: ["a": 0]))
        #expect(result.warnings.map(\.description) == ([
            "orch.yaml:2:40: 'port' in process 'a' is ignored: its environment sets PORT",
            "orch.yaml:2:25: cwd of process 'a' is not a directory: \(Path.join(directory, "nowhere"))",
            "orch.yaml:3:33: process 'b' depends on 'a', which has 0 replicas and will not start",
        ]))
    }
}

final class YAMLErrorTests: ConfigTestCase {
    @Test func eachErrorKind() throws {
        let cases: [(yaml: String, expected: [String])] = [
            ("processes:\n  web:\n    command: x\n    restrat: always\n",
             ["orch.yaml:4:5: unknown key 'restrat' in process 'web' (did you mean 'restart'?)"]),
            ("processes:\n  web:\n    command: x\n    zzz: 1\n",
             ["orch.yaml:4:5: unknown key 'zzz' in process 'web' (expected one of: \(YAMLReader.processKeys.joined(separator: ", ")))"]),
            ("proceses:\n  web: {command: x}\n", [
                "orch.yaml:1:1: unknown key 'proceses' at the top level (did you mean 'processes'?)",
                "orch.yaml:1:1: no 'processes' map: add one, e.g. `processes: {web: {command: ...}}`",
            ]),
            ("processes:\n  web:\n    command: x\n    replicas: abc\n",
             ["orch.yaml:4:15: 'replicas' in process 'web' must be a number from 0 to 1000, got 'abc'"]),
            ("processes:\n  web:\n    command: x\n    replicas: -1\n",
             ["orch.yaml:4:15: 'replicas' in process 'web' must be a number from 0 to 1000, got '-1'"]),
            ("processes:\n  web:\n    command: x\n    stop: { timeout: 5 }\n",
             ["orch.yaml:4:22: 'timeout' in 'stop' of process 'web' must be a duration like 250ms, 5s or 1m, got '5'"]),
            ("processes:\n  web:\n    command: x\n    stop: { signal: TERMM }\n",
             ["orch.yaml:4:21: 'signal' in 'stop' of process 'web': unknown signal 'TERMM' (did you mean 'TERM'?)"]),
            ("processes:\n  web:\n    command: \"  \"\n",
             ["orch.yaml:3:14: 'command' in process 'web' must not be empty"]),
            ("processes:\n  web:\n    cwd: x\n",
             ["orch.yaml:2:3: process 'web' has no 'command'"]),
            ("processes:\n  web:\n", ["orch.yaml:2:3: process 'web' has no 'command'"]),
            ("processes:\n  web: {command: x}\n  worker: {command: y}\n  web: {command: z}\n",
             ["orch.yaml:4:3: duplicate process 'web' (first defined at line 2)"]),
            ("processes:\n  web:\n    command: x\n    cwd: a\n    cwd: b\n",
             ["orch.yaml:5:5: duplicate key 'cwd' in process 'web' (first defined at line 4)"]),
            ("processes:\n  web: {command: x, cwd: a, cwd: b}\n",
             ["orch.yaml:2:29: duplicate key 'cwd' in process 'web' (first defined at line 2)"]),
            ("processes:\n  web: {command: x, depends_on: {dbb: ready}}\n  db: {command: y}\n",
             ["orch.yaml:2:34: process 'web' depends on unknown process 'dbb' (did you mean 'db'?)"]),
            ("processes:\n  web: {command: x, depends_on: [web]}\n",
             ["orch.yaml:2:34: process 'web' depends on itself"]),
            ("processes:\n  web: {command: x, depends_on: {db: redy}}\n  db: {command: y}\n",
             ["orch.yaml:2:38: the condition for 'db' in 'depends_on' in process 'web' must be started, ready, completed or succeeded, got 'redy' (did you mean 'ready'?)"]),
            ("processes:\n  web: {command: x, depends_on: {db: completed}}\n  db: {command: y}\n",
             ["orch.yaml:2:34: process 'web' waits for 'db' to be completed, but 'db' is a service: only jobs complete (use started or ready, or give 'db' kind: job)"]),
            ("processes:\n  web: {command: x, restart: sometimes}\n",
             ["orch.yaml:2:30: 'restart' in process 'web' must be no, on-failure or always, got 'sometimes'"]),
            ("processes:\n  web: {command: x, kind: jobb}\n",
             ["orch.yaml:2:27: 'kind' in process 'web' must be service or job, got 'jobb' (did you mean 'job'?)"]),
            ("processes:\n  web: {command: x, ready: {tcp: 1, http: /x}}\n",
             ["orch.yaml:2:37: 'ready' in process 'web' has both 'tcp' and 'http': use exactly one of tcp, http, exec, log"]),
            ("processes:\n  web: {command: x, ready: {interval: 1s}}\n",
             ["orch.yaml:2:28: 'ready' in process 'web' needs one of tcp, http, exec, log"]),
            ("processes:\n  web: {command: x, ready: {tcp: 99999}}\n",
             ["orch.yaml:2:34: 'tcp' in 'ready' of process 'web' must be a port or host:port, got '99999' (port must be 1-65535)"]),
            ("processes:\n  web: {command: x, ready: {http: ftp://x}}\n",
             ["orch.yaml:2:35: 'http' in 'ready' of process 'web' must be a URL starting with http://, or a path like /health, got 'ftp://x'"]),
            ("processes:\n  web: {command: x, ready: {http: \"https://x/\"}}\n",
             ["orch.yaml:2:35: 'http' in 'ready' of process 'web': https:// is not supported, the probe speaks plain HTTP; probe an http:// port, or use `exec: curl -fsS https://x/`"]),
            ("processes:\n  web: {command: x, env: [1, 2]}\n", [
                "orch.yaml:2:27: an entry of 'env' in process 'web' must be KEY=value, got '1'",
                "orch.yaml:2:30: an entry of 'env' in process 'web' must be KEY=value, got '2'",
            ]),
            ("processes:\n  web: {command: x, env: {A: [1]}}\n",
             ["orch.yaml:2:30: 'A' in 'env' in process 'web' must be a string, got a list"]),
            ("processes:\n  web: {command: [x]}\n",
             ["orch.yaml:2:18: 'command' in process 'web' must be a string, got a list"]),
            ("processes:\n  web: {command: x, optional: maybe, pty: 2}\n", [
                "orch.yaml:2:31: 'optional' in process 'web' must be true or false, got 'maybe'",
                "orch.yaml:2:43: 'pty' in process 'web' must be true or false, got '2'",
            ]),
            ("processes:\n  web: {command: x, backoff: {initial: 10s, max: 1s, factor: 0.5}}\n", [
                "orch.yaml:2:30: 'backoff' in process 'web': initial (10s) must not exceed max (1s)",
                "orch.yaml:2:62: 'factor' in 'backoff' of process 'web' must be a number of at least 1, got '0.5'",
            ]),
            ("processes:\n  web: {command: x, log: {file: a, max_size: lots}}\n",
             ["orch.yaml:2:46: 'max_size' in 'log' of process 'web' must be a size like 10MB, 512K or 1G, got 'lots'"]),
            ("processes:\n  web: {command: x, watch: {ignore: [a]}}\n",
             ["orch.yaml:2:28: 'watch' in process 'web' needs 'paths'"]),
            ("processes:\n  web: {command: x, port: 0}\n",
             ["orch.yaml:2:27: 'port' in process 'web' must be a port number (1-65535), got '0'"]),
            ("processes:\n  web: {command: x, env_file: missing.env}\n",
             ["orch.yaml:2:31: env_file 'missing.env' of process 'web': no such file (\(Path.join(directory, "missing.env")))"]),
            ("processes:\n  w.b: {command: x}\n",
             ["orch.yaml:2:3: invalid process name 'w.b': use letters, digits, '_' and '-'"]),
            ("processes:\n", ["orch.yaml:1:1: 'processes' is empty: add a process, e.g. `web: {command: ...}`"]),
            ("processes: {}\n", ["orch.yaml:1:12: 'processes' is empty: add a process, e.g. `web: {command: ...}`"]),
            ("processes: [web]\n", ["orch.yaml:1:12: 'processes' must be a map, got a list"]),
            ("env: {A: 1}\n", ["orch.yaml:1:1: no 'processes' map: add one, e.g. `processes: {web: {command: ...}}`"]),
            ("- just a list\n", ["orch.yaml:1:1: the top level must be a map, got a list"]),
            ("", ["orch.yaml: the file is empty: add a `processes:` map, e.g. `processes: {web: {command: ...}}`"]),
            ("control: {port: http}\nprocesses: {a: x}\n",
             ["orch.yaml:1:17: 'port' in 'control' must be a port number (1-65535), got 'http'"]),
        ]
        for (yaml, expected) in cases {
            try #expect(yamlErrors(yaml) == expected, "\(yaml)")
        }
    }

    @Test func syntaxErrorHasLineAndColumn() throws {
        let errors = try yamlErrors("processes:\n  web:\n    command: x\n   bad: [\n")
        #expect(errors.count == 1)
        let first = try #require(errors.first)
        #expect(first.hasPrefix("orch.yaml:4:"), "\(first)")
        #expect(first.contains("invalid YAML: "), "\(first)")

        let tabs = try yamlErrors("processes:\n\tweb: x\n")
        #expect(tabs.first?.hasPrefix("orch.yaml:2:") ?? false, "\(tabs)")
    }

    @Test func allErrorsAreCollected() throws {
        let errors = try yamlErrors("""
            processes:
              web:
                command: x
                restrat: always
                replicas: many
                depends_on: { db: ready, nope: started }
              db:
                command: ""
              db:
                command: y
            """)
        #expect(errors == [
            "orch.yaml:4:5: unknown key 'restrat' in process 'web' (did you mean 'restart'?)",
            "orch.yaml:5:15: 'replicas' in process 'web' must be a number from 0 to 1000, got 'many'",
            "orch.yaml:6:30: process 'web' depends on unknown process 'nope'",
            "orch.yaml:8:14: 'command' in process 'db' must not be empty",
            "orch.yaml:9:3: duplicate process 'db' (first defined at line 7)",
        ])
    }

    @Test func cycles() throws {
        let cases: [(String, [String])] = [
            ("processes:\n  a: {command: x, depends_on: [b]}\n  b: {command: x, depends_on: [a]}\n",
             ["orch.yaml:2:32: dependency cycle: a -> b -> a"]),
            ("processes:\n  a: {command: x, depends_on: [b]}\n  b: {command: x, depends_on: [c]}\n  c: {command: x, depends_on: {a: ready}}\n",
             ["orch.yaml:2:32: dependency cycle: a -> b -> c -> a"]),
            ("processes:\n  a: {command: x, depends_on: [b]}\n  b: {command: x, depends_on: [a]}\n  c: {command: x, depends_on: [d]}\n  d: {command: x, depends_on: [c]}\n", [
                "orch.yaml:2:32: dependency cycle: a -> b -> a",
                "orch.yaml:4:32: dependency cycle: c -> d -> c",
            ]),
            ("processes:\n  a: {command: x, depends_on: [c, b]}\n  b: {command: x, depends_on: [a]}\n  c: {command: x}\n",
             ["orch.yaml:2:35: dependency cycle: a -> b -> a"]),
        ]
        for (yaml, expected) in cases {
            try #expect(yamlErrors(yaml) == expected, "\(yaml)")
        }
    }

    @Test func acyclicDiamondLoads() throws {
        let spec = try loadYAML("""
            processes:
              a: {command: x, depends_on: [b, c]}
              b: {command: x, depends_on: [d]}
              c: {command: x, depends_on: [d]}
              d: {command: x}
            """).spec
        #expect(spec.processes.map(\.dependsOn.count) == [2, 1, 1, 0])
    }

    /// A cwd that names a file can never be entered (chdir fails with ENOTDIR on
    /// every start): an error, as `orch check` should say before anything runs. A
    /// cwd that does not exist yet stays a warning: a job may create it first.
    @Test(arguments: ["regular file", "FIFO"])
    func aCwdThatIsAFileIsAnError(_ kind: String) throws {
        let path = Path.join(directory, "not-a-dir")
        if kind == "FIFO" { #expect(mkfifo(path, 0o600) == 0) } else { try write("not-a-dir", "x\n") }
        let errors = try yamlErrors("""
            processes:
              web: {command: x, cwd: not-a-dir}
              api: {command: y, cwd: ./not-a-dir}
              later: {command: z, cwd: made-by-a-job}
            """)
        #expect(errors == [
            "orch.yaml:2:26: cwd of process 'web' is a \(kind), not a directory: \(path); point cwd at a directory",
            "orch.yaml:3:26: cwd of process 'api' is a \(kind), not a directory: \(path); point cwd at a directory",
        ])
        try write("orch.yaml", "processes:\n  later: {command: z, cwd: made-by-a-job}\n")
        let result = try ConfigLoader.load(options())
        #expect(result.warnings.map(\.description) == ["orch.yaml:2:28: cwd of process 'later' is not a directory: \(Path.join(directory, "made-by-a-job"))"])
    }

    /// Every integer field reads a plain, quoted or `!!int`-tagged number alike, and
    /// refuses one whose explicit tag says it is something else (`!!str 3` is the
    /// string "3", `! 3` too): before, `replicas: !!str 3` was read as 3.
    @Test(arguments: [
        ("replicas: %@", "'replicas' in process 'web' must be a number from 0 to 1000"),
        ("max_restarts: %@", "'max_restarts' in process 'web' must be a non-negative integer"),
        ("port: %@", "'port' in process 'web' must be a port number (1-65535)"),
        ("ready: {log: up, retries: %@}", "'retries' in 'ready' of process 'web' must be a non-negative integer"),
        ("log: {file: web.log, keep: %@}", "'keep' in 'log' of process 'web' must be a non-negative integer"),
    ])
    func integerFieldsTreatExplicitTagsAlike(_ field: String, _ message: String) throws {
        func yaml(_ value: String) -> String {
            "processes:\n  web:\n    command: x\n    \(field.replacingOccurrences(of: "%@", with: value))\n"
        }
        let column = 5 + field.distance(from: field.startIndex, to: try #require(field.range(of: "%@")).lowerBound)
        for value in ["3000", "\"3000\"", "!!int 3000", "!!int \"3000\""] where !field.hasPrefix("replicas") || !value.contains("3000") {
            _ = try loadYAML(yaml(value))
        }
        for value in ["3", "\"3\"", "!!int 3"] where field.hasPrefix("replicas") {
            #expect(try loadYAML(yaml(value)).spec.processes.first?.replicas == 3, "\(value)")
        }
        for (value, tag, meaning) in [("!!str 3", "!!str", "a string"), ("! 3", "!", "a string"), ("!!float 3", "!!float", "not an integer"),
                                      ("!!str \"3\"", "!!str", "a string"), ("&n !!str 3", "!!str", "a string")] {
            #expect(try yamlErrors(yaml(value)) == ["orch.yaml:4:\(column): \(message), got '3' tagged \(tag), which makes it \(meaning): remove the tag"], "\(value)")
        }
    }

    @Test func anExplicitStringTagOnTheControlPortIsRefused() throws {
        #expect(try yamlErrors("control: {port: !!str 9000}\nprocesses: {a: x}\n") == [
            "orch.yaml:1:17: 'port' in 'control' must be a port number (1-65535), got '9000' tagged !!str, which makes it a string: remove the tag",
        ])
        #expect(try loadYAML("control: {port: !!int 9000}\nprocesses: {a: x}\n").spec.control.port == 9000)
    }

    @Test func badBasePort() throws {
        try write("orch.yaml", "processes: {a: x, b: y}\n")
        do throws(any Error) {
            _ = try ConfigLoader.load(options(basePort: 70000))
            Issue.record("expected an error")
        } catch {
            #expect(((error as? ConfigError)?.description) == "-p: the base port must be between 1 and 65535, got 70000")
        }
        // Past 65535, foreman's rule runs out: those processes get no PORT, with a warning.
        let result = try ConfigLoader.load(options(basePort: 65500, environment: [:]))
        #expect(result.spec.processes.map(\.port) == [65500, nil])
        #expect(result.spec.processes[1].instance(replica: 0, of: 1).environment["PORT"] == nil)
        #expect(result.warnings.map(\.description) == [
            "orch.yaml: process 'b' gets no PORT: base 65500 + 100 per process passes 65535; lower the base port (-p) if they need one"
        ])
    }
}
