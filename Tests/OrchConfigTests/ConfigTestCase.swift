import Foundation
import XCTest
@testable import OrchConfig

/// A test case with its own temporary directory, removed after each test.
class ConfigTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        let base = FileManager.default.temporaryDirectory.path
        directory = Path.join(base, "orch-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
        try super.tearDownWithError()
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
    func loadYAML(_ text: String, _ options: LoadOptions? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> LoadResult {
        try write("orch.yaml", text)
        do {
            return try ConfigLoader.load(options ?? self.options())
        } catch {
            XCTFail("unexpected errors:\n\(error)", file: file, line: line)
            throw error
        }
    }

    /// The diagnostics (as printed) that loading `text` as orch.yaml fails with.
    func yamlErrors(_ text: String, _ options: LoadOptions? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        try write("orch.yaml", text)
        do {
            let result = try ConfigLoader.load(options ?? self.options())
            XCTFail("expected errors, loaded \(result.spec.processes.map(\.name))", file: file, line: line)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }
}
