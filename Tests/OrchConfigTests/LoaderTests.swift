import XCTest
@testable import OrchConfig

final class DiscoveryTests: ConfigTestCase {
    func testFindsConfigInParentDirectories() throws {
        let config = try write("orch.yaml", "processes: {web: {command: run}}\n")
        try FileManager.default.createDirectory(atPath: Path.join(directory, "a/b/c"), withIntermediateDirectories: true)
        XCTAssertEqual(ConfigLoader.discover(from: Path.join(directory, "a/b/c")), config)
        XCTAssertEqual(ConfigLoader.discover(from: directory), config)

        let result = try ConfigLoader.load(options(in: "a/b/c"))
        XCTAssertEqual(result.spec.configFile, config)
        XCTAssertEqual(result.spec.directory, directory)
        XCTAssertEqual(result.spec.processes.first?.cwd, directory)
    }

    func testNearestDirectoryWinsAndYAMLBeforeProcfile() throws {
        try write("orch.yaml", "processes: {web: {command: run}}\n")
        let procfile = try write("sub/Procfile", "web: run\n")
        XCTAssertEqual(ConfigLoader.discover(from: Path.join(directory, "sub")), procfile)
        let yml = try write("sub/orch.yml", "processes: {web: {command: run}}\n")
        XCTAssertEqual(ConfigLoader.discover(from: Path.join(directory, "sub")), yml)
        let yaml = try write("sub/orch.yaml", "processes: {web: {command: run}}\n")
        XCTAssertEqual(ConfigLoader.discover(from: Path.join(directory, "sub")), yaml)
    }

    func testDirectoryNamedProcfileIsNotAConfig() throws {
        try FileManager.default.createDirectory(atPath: Path.join(directory, "x/Procfile"), withIntermediateDirectories: true)
        let found = ConfigLoader.discover(from: Path.join(directory, "x"))
        XCTAssertNotEqual(found, Path.join(directory, "x/Procfile"))
    }

    func testExplicitFileAndMissingFile() throws {
        try write("Procfile.dev", "web: run\n")
        let result = try ConfigLoader.load(options(file: "Procfile.dev"))
        XCTAssertEqual(result.spec.processes.map(\.name), ["web"])
        XCTAssertThrowsError(try ConfigLoader.load(options(file: "nope.yaml"))) { error in
            XCTAssertEqual((error as? ConfigError)?.description, "nope.yaml: no such file")
        }
    }

    func testYAMLIsRecognisedByAnyPartOfTheName() throws {
        try write("orch.yaml.example", "processes:\n  web: {command: run, kind: job}\n")
        let result = try ConfigLoader.load(options(file: "orch.yaml.example"))
        XCTAssertEqual(result.spec.processes.map(\.name), ["web"])
        XCTAssertEqual(result.spec.processes.first?.kind, .job)
        for (name, yaml) in [("orch.yaml", true), ("ci.yml", true), ("orch.yml.dist", true), ("/a.b/Procfile", false),
                             ("Procfile.dev", false), ("yaml", false), ("dir.yaml/Procfile", false), ("my-yaml.txt", false)] {
            XCTAssertEqual(ConfigLoader.isYAML(name), yaml, name)
        }
    }
}

final class ProcfileLoadTests: ConfigTestCase {
    func testProcfileDefaultsAndPorts() throws {
        try write("Procfile", "web: bin/web -p $PORT\nworker: bin/worker\nclock: bin/clock\n")
        let spec = try ConfigLoader.load(options(environment: ["HOME": "/home/u", "PATH": "/bin"])).spec
        XCTAssertEqual(spec.processes.map(\.name), ["web", "worker", "clock"])
        XCTAssertEqual(spec.processes.map(\.port), [5000, 5100, 5200])
        XCTAssertEqual(spec.processes.map(\.line), [1, 2, 3])
        for process in spec.processes {
            XCTAssertEqual(process.kind, .service)
            XCTAssertEqual(process.restart, .no)
            XCTAssertEqual(process.replicas, 1)
            XCTAssertEqual(process.cwd, directory)
            XCTAssertEqual(process.environment, ["HOME": "/home/u", "PATH": "/bin"])
        }
        XCTAssertEqual(spec.processes[0].command, "bin/web -p $PORT")
    }

    func testBasePortSources() throws {
        try write("Procfile", "a: x\nb: y\n")
        let cases: [(LoadOptions, [Int?])] = [
            (options(), [5000, 5100]),
            (options(environment: ["PORT": "3000"]), [3000, 3100]),
            (options(basePort: 8000, environment: ["PORT": "3000"]), [8000, 8100]),
        ]
        for (options, expected) in cases {
            let spec = try ConfigLoader.load(options).spec
            XCTAssertEqual(spec.processes.map(\.port), expected)
            // orch's own PORT is a base, not something the process sets.
            XCTAssertNil(spec.processes[0].environment["PORT"])
        }
    }

    func testDotenvPortIsTheBase() throws {
        try write("Procfile", "a: x\nb: y\n")
        try write(".env", "PORT=7000\n")
        let spec = try ConfigLoader.load(options(environment: ["PORT": "3000"])).spec
        XCTAssertEqual(spec.processes.map(\.port), [7000, 7100])
        XCTAssertNil(spec.processes[1].environment["PORT"])
    }

    func testInstancesGetPortPlusReplicaAndName() throws {
        try write("Procfile", "web: x\nworker: y\n")
        let spec = try ConfigLoader.load(options(formation: ["web": 3], basePort: 6000)).spec
        let web = try XCTUnwrap(spec.process(named: "web"))
        XCTAssertEqual(web.replicas, 3)
        let instances = (0..<3).map { web.instance(replica: $0, of: 3) }
        XCTAssertEqual(instances.map(\.name), ["web.1", "web.2", "web.3"])
        XCTAssertEqual(instances.map { $0.environment["PORT"] }, ["6000", "6001", "6002"])
        XCTAssertEqual(instances.map { $0.environment["ORCH_PROCESS_NAME"] }, ["web.1", "web.2", "web.3"])
        let worker = try XCTUnwrap(spec.process(named: "worker")).instance(replica: 0, of: 1)
        XCTAssertEqual(worker.name, "worker")
        XCTAssertEqual(worker.environment["PORT"], "6100")
    }

    func testFormation() throws {
        try write("Procfile", "web: x\nworker: y\nclock: z\n")
        let spec = try ConfigLoader.load(options(formation: ["web": 2, "worker": 0, "all": 3])).spec
        XCTAssertEqual(spec.processes.map(\.replicas), [2, 0, 3])
        // A process with 0 replicas still counts for PORT.
        XCTAssertEqual(spec.processes.map(\.port), [5000, 5100, 5200])

        XCTAssertThrowsError(try ConfigLoader.load(options(formation: ["wbe": 2, "all": 1]))) { error in
            XCTAssertEqual((error as? ConfigError)?.description, "formation (-m): unknown process 'wbe' (did you mean 'web'?)")
        }
    }

    func testEnvFiles() throws {
        try write("Procfile", "web: x\n")
        try write(".env", "A=dotenv\nB=dotenv\n")
        try write("one.env", "B=one\nC=one\n")
        try write("two.env", "C=two\n1X=bad\n")
        // .env is read by default; orch's own environment is overridden by it.
        var spec = try ConfigLoader.load(options(environment: ["A": "orch", "Z": "orch"])).spec
        XCTAssertEqual(spec.processes[0].environment, ["A": "dotenv", "B": "dotenv", "Z": "orch"])

        // -e replaces .env; later files win.
        let result = try ConfigLoader.load(options(envFiles: ["one.env", "two.env"], environment: ["A": "orch"]))
        spec = result.spec
        XCTAssertEqual(spec.processes[0].environment, ["A": "orch", "B": "one", "C": "two"])
        XCTAssertEqual(result.warnings.map(\.description), [
            "two.env:2: invalid variable name '1X' (use letters, digits and '_', not starting with a digit); line skipped",
        ])

        XCTAssertThrowsError(try ConfigLoader.load(options(envFiles: ["missing.env"]))) { error in
            XCTAssertEqual((error as? ConfigError)?.description, "missing.env: env file given with -e: no such file")
        }
    }

    func testProcfileErrorsAreReported() throws {
        try write("Procfile", "web: x\nweb: y\n")
        XCTAssertThrowsError(try ConfigLoader.load(options())) { error in
            XCTAssertEqual((error as? ConfigError)?.description, "Procfile:2:1: duplicate process 'web' (first defined at line 1)")
        }
    }

    func testNoConfigAnywhere() throws {
        try FileManager.default.createDirectory(atPath: Path.join(directory, "empty"), withIntermediateDirectories: true)
        // The temporary directory's parents hold no orch config on a sane machine.
        guard ConfigLoader.discover(from: Path.join(directory, "empty")) == nil else { return }
        XCTAssertThrowsError(try ConfigLoader.load(options(in: "empty"))) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("no orch.yaml, orch.yml or Procfile in "), "\(error)")
        }
    }

    func testEnvValuesUsingPortOrNameAreExpandedPerReplica() throws {
        try write("orch.yaml", """
        processes:
          web:
            command: run
            replicas: 2
            env: { URL: "http://127.0.0.1:$PORT/", WHO: "${ORCH_PROCESS_NAME}!", PLAIN: "x" }
        """)
        let spec = try ConfigLoader.load(options(environment: [:])).spec
        let web = try XCTUnwrap(spec.process(named: "web"))
        XCTAssertEqual(web.instance(replica: 1, of: 2).environment["URL"], "http://127.0.0.1:5001/")
        XCTAssertEqual(web.instance(replica: 1, of: 2).environment["WHO"], "web.2!")
        XCTAssertEqual(web.instance(replica: 0, of: 2, name: "web.7").environment["WHO"], "web.7!")
        XCTAssertEqual(web.instance(replica: 0, of: 2).environment["PLAIN"], "x")
    }

    func testManyReplicasThatReachTheNextPortAreWarnedAbout() throws {
        try write("Procfile", "web: a\nworker: b\n")
        let result = try ConfigLoader.load(options(formation: ["web": 150], basePort: 31000, environment: [:]))
        XCTAssertEqual(result.warnings.map(\.description), [
            "Procfile:1: process 'web': its 150 replicas use PORT 31000-31149, which includes the PORT of 'worker' (31100); give 'web' its own `port:` or fewer replicas"
        ])
    }
}
