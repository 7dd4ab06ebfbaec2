import Foundation
import Testing
@testable import OrchConfig

final class DiscoveryTests: ConfigTestCase {
    @Test func findsConfigInParentDirectories() throws {
        let config = try write("orch.yaml", "processes: {web: {command: run}}\n")
        try FileManager.default.createDirectory(atPath: Path.join(directory, "a/b/c"), withIntermediateDirectories: true)
        #expect(ConfigLoader.discover(from: Path.join(directory, "a/b/c")) == config)
        #expect(ConfigLoader.discover(from: directory) == config)

        let result = try ConfigLoader.load(options(in: "a/b/c"))
        #expect(result.spec.configFile == config)
        #expect(result.spec.directory == directory)
        #expect(result.spec.processes.first?.cwd == directory)
    }

    @Test func nearestDirectoryWinsAndYAMLBeforeProcfile() throws {
        try write("orch.yaml", "processes: {web: {command: run}}\n")
        let procfile = try write("sub/Procfile", "web: run\n")
        #expect(ConfigLoader.discover(from: Path.join(directory, "sub")) == procfile)
        let yml = try write("sub/orch.yml", "processes: {web: {command: run}}\n")
        #expect(ConfigLoader.discover(from: Path.join(directory, "sub")) == yml)
        let yaml = try write("sub/orch.yaml", "processes: {web: {command: run}}\n")
        #expect(ConfigLoader.discover(from: Path.join(directory, "sub")) == yaml)
    }

    @Test func directoryNamedProcfileIsNotAConfig() throws {
        try FileManager.default.createDirectory(atPath: Path.join(directory, "x/Procfile"), withIntermediateDirectories: true)
        let found = ConfigLoader.discover(from: Path.join(directory, "x"))
        #expect(found != Path.join(directory, "x/Procfile"))
    }

    @Test func explicitFileAndMissingFile() throws {
        try write("Procfile.dev", "web: run\n")
        let result = try ConfigLoader.load(options(file: "Procfile.dev"))
        #expect(result.spec.processes.map(\.name) == ["web"])
        do throws(any Error) {
            _ = try ConfigLoader.load(options(file: "nope.yaml"))
            Issue.record("expected an error")
        } catch {
            #expect(((error as? ConfigError)?.description) == "nope.yaml: no such file")
        }
    }

    @Test func yamlIsRecognisedByAnyPartOfTheName() throws {
        try write("orch.yaml.example", "processes:\n  web: {command: run, kind: job}\n")
        let result = try ConfigLoader.load(options(file: "orch.yaml.example"))
        #expect(result.spec.processes.map(\.name) == ["web"])
        #expect(result.spec.processes.first?.kind == .job)
        for (name, yaml) in [("orch.yaml", true), ("ci.yml", true), ("orch.yml.dist", true), ("/a.b/Procfile", false),
                             ("Procfile.dev", false), ("yaml", false), ("dir.yaml/Procfile", false), ("my-yaml.txt", false)] {
            #expect(ConfigLoader.isYAML(name) == yaml, "\(name)")
        }
    }
}

final class ProcfileLoadTests: ConfigTestCase {
    @Test func procfileDefaultsAndPorts() throws {
        try write("Procfile", "web: bin/web -p $PORT\nworker: bin/worker\nclock: bin/clock\n")
        let spec = try ConfigLoader.load(options(environment: ["HOME": "/home/u", "PATH": "/bin"])).spec
        #expect(spec.processes.map(\.name) == ["web", "worker", "clock"])
        #expect(spec.processes.map(\.port) == [5000, 5100, 5200])
        #expect(spec.processes.map(\.line) == [1, 2, 3])
        for process in spec.processes {
            #expect(process.kind == .service)
            #expect(process.restart == .no)
            #expect(process.replicas == 1)
            #expect(process.cwd == directory)
            #expect(process.environment == ["HOME": "/home/u", "PATH": "/bin"])
        }
        #expect(spec.processes[0].command == "bin/web -p $PORT")
    }

    @Test func basePortSources() throws {
        try write("Procfile", "a: x\nb: y\n")
        let cases: [(LoadOptions, [Int?])] = [
            (options(), [5000, 5100]),
            (options(environment: ["PORT": "3000"]), [3000, 3100]),
            (options(basePort: 8000, environment: ["PORT": "3000"]), [8000, 8100]),
        ]
        for (options, expected) in cases {
            let spec = try ConfigLoader.load(options).spec
            #expect(spec.processes.map(\.port) == expected)
            // orch's own PORT is a base, not something the process sets.
            #expect(spec.processes[0].environment["PORT"] == nil)
        }
    }

    @Test func dotenvPortIsTheBase() throws {
        try write("Procfile", "a: x\nb: y\n")
        try write(".env", "PORT=7000\n")
        let spec = try ConfigLoader.load(options(environment: ["PORT": "3000"])).spec
        #expect(spec.processes.map(\.port) == [7000, 7100])
        #expect(spec.processes[1].environment["PORT"] == nil)
    }

    @Test func instancesGetPortPlusReplicaAndName() throws {
        try write("Procfile", "web: x\nworker: y\n")
        let spec = try ConfigLoader.load(options(formation: ["web": 3], basePort: 6000)).spec
        let web = try #require(spec.process(named: "web"))
        #expect(web.replicas == 3)
        let instances = (0..<3).map { web.instance(replica: $0, of: 3) }
        #expect(instances.map(\.name) == ["web.1", "web.2", "web.3"])
        #expect(instances.map { $0.environment["PORT"] } == ["6000", "6001", "6002"])
        #expect(instances.map { $0.environment["ORCH_PROCESS_NAME"] } == ["web.1", "web.2", "web.3"])
        let worker = try #require(spec.process(named: "worker")).instance(replica: 0, of: 1)
        #expect(worker.name == "worker")
        #expect(worker.environment["PORT"] == "6100")
    }

    @Test func formation() throws {
        try write("Procfile", "web: x\nworker: y\nclock: z\n")
        let spec = try ConfigLoader.load(options(formation: ["web": 2, "worker": 0, "all": 3])).spec
        #expect(spec.processes.map(\.replicas) == [2, 0, 3])
        // A process with 0 replicas still counts for PORT.
        #expect(spec.processes.map(\.port) == [5000, 5100, 5200])

        do throws(any Error) {
            _ = try ConfigLoader.load(options(formation: ["wbe": 2, "all": 1]))
            Issue.record("expected an error")
        } catch {
            #expect(((error as? ConfigError)?.description) == "formation (-m): unknown process 'wbe' (did you mean 'web'?)")
        }
    }

    @Test func envFiles() throws {
        try write("Procfile", "web: x\n")
        try write(".env", "A=dotenv\nB=dotenv\n")
        try write("one.env", "B=one\nC=one\n")
        try write("two.env", "C=two\n1X=bad\n")
        // .env is read by default; orch's own environment is overridden by it.
        var spec = try ConfigLoader.load(options(environment: ["A": "orch", "Z": "orch"])).spec
        #expect(spec.processes[0].environment == ["A": "dotenv", "B": "dotenv", "Z": "orch"])

        // -e replaces .env; later files win.
        let result = try ConfigLoader.load(options(envFiles: ["one.env", "two.env"], environment: ["A": "orch"]))
        spec = result.spec
        #expect(spec.processes[0].environment == ["A": "orch", "B": "one", "C": "two"])
        #expect(result.warnings.map(\.description) == [
            "two.env:2:1: invalid variable name: it starts with a digit (use letters, digits and '_', not starting with a digit); line skipped",
        ])

        do throws(any Error) {
            _ = try ConfigLoader.load(options(envFiles: ["missing.env"]))
            Issue.record("expected an error")
        } catch {
            #expect(((error as? ConfigError)?.description) == "missing.env: env file given with -e: no such file")
        }
    }

    @Test func procfileErrorsAreReported() throws {
        try write("Procfile", "web: x\nweb: y\n")
        do throws(any Error) {
            _ = try ConfigLoader.load(options())
            Issue.record("expected an error")
        } catch {
            #expect(((error as? ConfigError)?.description) == "Procfile:2:1: duplicate process 'web' (first defined at line 1)")
        }
    }

    @Test func noConfigAnywhere() throws {
        try FileManager.default.createDirectory(atPath: Path.join(directory, "empty"), withIntermediateDirectories: true)
        // The temporary directory's parents hold no orch config on a sane machine.
        guard ConfigLoader.discover(from: Path.join(directory, "empty")) == nil else { return }
        do throws(any Error) {
            _ = try ConfigLoader.load(options(in: "empty"))
            Issue.record("expected an error")
        } catch {
            #expect(String(describing: error).hasPrefix("no orch.yaml, orch.yml or Procfile in "), "\(error)")
        }
    }

    @Test func envValuesUsingPortOrNameAreExpandedPerReplica() throws {
        try write("orch.yaml", """
        processes:
          web:
            command: run
            replicas: 2
            env: { URL: "http://127.0.0.1:$PORT/", WHO: "${ORCH_PROCESS_NAME}!", PLAIN: "x" }
        """)
        let spec = try ConfigLoader.load(options(environment: [:])).spec
        let web = try #require(spec.process(named: "web"))
        #expect(web.instance(replica: 1, of: 2).environment["URL"] == "http://127.0.0.1:5001/")
        #expect(web.instance(replica: 1, of: 2).environment["WHO"] == "web.2!")
        #expect(web.instance(replica: 0, of: 2, name: "web.7").environment["WHO"] == "web.7!")
        #expect(web.instance(replica: 0, of: 2).environment["PLAIN"] == "x")
    }

    @Test func manyReplicasThatReachTheNextPortAreWarnedAbout() throws {
        try write("Procfile", "web: a\nworker: b\n")
        let result = try ConfigLoader.load(options(formation: ["web": 150], basePort: 31000, environment: [:]))
        #expect(result.warnings.map(\.description) == [
            "Procfile:1: process 'web': its 150 replicas use PORT 31000-31149, which includes the PORT of 'worker' (31100); give 'web' its own `port:` or fewer replicas"
        ])
    }
}
