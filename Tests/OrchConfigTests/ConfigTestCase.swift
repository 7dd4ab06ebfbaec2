import Foundation
import Testing
@testable import OrchConfig

/// A test suite with its own temporary directory per test (Swift Testing makes an
/// instance per test), removed when the test ends.
class ConfigTestCase {
    let directory: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        directory = Path.join(base, "orch-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = Path.join(directory, name)
        try FileManager.default.createDirectory(atPath: Path.directory(of: path), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func options(
        file: String? = nil, in subdirectory: String? = nil, envFiles: [String]? = nil, formation: [String: Int] = [:],
        basePort: Int? = nil, environment: [String: String] = [:]
    ) -> LoadOptions {
        LoadOptions(
            file: file, workingDirectory: subdirectory.map { Path.join(directory, $0) } ?? directory, envFiles: envFiles,
            formation: formation, basePort: basePort, environment: environment
        )
    }

    /// Loads `text` as orch.yaml with no inherited environment.
    func loadYAML(_ text: String, _ options: LoadOptions? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> LoadResult {
        try write("orch.yaml", text)
        do {
            return try ConfigLoader.load(options ?? self.options())
        } catch {
            Issue.record("unexpected errors:\n\(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// The diagnostics (as printed) that loading `text` as orch.yaml fails with.
    func yamlErrors(_ text: String, _ options: LoadOptions? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        try write("orch.yaml", text)
        do {
            let result = try ConfigLoader.load(options ?? self.options())
            Issue.record("expected errors, loaded \(result.spec.processes.map(\.name))", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }
}
