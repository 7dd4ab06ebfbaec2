import Foundation
import Testing
@testable import OrchConfig

/// The process keys `orch run` adds: `timeout` and `autostart`, and the project
/// environment a one-off command gets.
@Suite struct RunKeysTests {
    /// Loads `text` as orch.yaml (with `.env` beside it when given) from a fresh directory.
    func load(_ text: String, dotenv: String? = nil, basePort: Int? = nil) throws -> Result<ProjectSpec, ConfigError> {
        let directory = FileManager.default.temporaryDirectory.path + "/orch-run-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/orch.yaml", atomically: true, encoding: .utf8)
        if let dotenv { try dotenv.write(toFile: directory + "/.env", atomically: true, encoding: .utf8) }
        do {
            let options = LoadOptions(workingDirectory: directory, basePort: basePort, environment: ["HOME": "/h", "PORT": "7000"])
            return .success(try ConfigLoader.load(options).spec)
        } catch {
            return .failure(error)
        }
    }

    @Test func timeoutAndAutostartAreRead() throws {
        let spec = try load("""
        processes:
          tests: {command: bin/test, kind: job, timeout: 10m, autostart: false}
          web: {command: bin/web}
        """).get()
        #expect(spec.processes.map(\.timeout) == [.seconds(600), nil])
        #expect(spec.processes.map(\.autostart) == [false, true])
    }

    /// (value, the error it gives).
    @Test(arguments: [
        ("timeout: 10", "'timeout' in process 'tests' must be a duration like 250ms, 5s or 1m, got '10'"),
        ("timeout: 0s", "'timeout' in process 'tests' must be longer than 0 (leave it out for no time limit)"),
        ("autostart: maybe", "'autostart' in process 'tests'"),
        ("timout: 5s", "unknown key 'timout' in process 'tests' (did you mean 'timeout'?)"),
    ])
    func badValuesAreErrorsWithTheirLocation(line: String, expected: String) throws {
        let result = try load("processes:\n  tests:\n    command: bin/test\n    \(line)\n")
        guard case let .failure(error) = result else {
            Issue.record("expected an error for \(line)")
            return
        }
        let text = error.diagnostics.map(\.description).joined(separator: "\n")
        #expect(text.contains("orch.yaml:4:"), "\(text)")
        #expect(text.contains(expected), "\(text)")
    }

    @Test func theProjectEnvironmentHasTheEnvFilesAndTheBasePort() throws {
        let spec = try load("env: {STAGE: dev}\nprocesses:\n  web: {command: x, env: {OWN: yes}}\n", dotenv: "ANIMAL=otter\n").get()
        #expect(spec.environment["ANIMAL"] == "otter")
        #expect(spec.environment["STAGE"] == "dev")
        #expect(spec.environment["OWN"] == nil, "a process's own env is not the project's")
        #expect(spec.environment["PORT"] == nil)
        #expect(spec.basePort == 7000)
        #expect(try load("processes:\n  web: x\n", basePort: 4000).get().basePort == 4000)
    }
}
