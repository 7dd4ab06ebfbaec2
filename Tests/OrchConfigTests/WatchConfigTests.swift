import Foundation
import Testing
@testable import OrchConfig

/// The config keys and command-line options of watching: `watch.gitignore`,
/// top-level `reload`, the files a reload watches, `--watch`/`--no-watch`.
@Suite struct WatchConfigTests {
    /// A project directory with `files`, loaded; removed afterwards.
    static func load(_ files: [String: String], envFiles: [String]? = nil) throws -> Result<ProjectSpec, ConfigError> {
        let directory = FileManager.default.temporaryDirectory.path + "/orch-watchconfig-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }
        do {
            let spec = try ConfigLoader.load(LoadOptions(workingDirectory: directory, envFiles: envFiles, environment: [:])).spec
            // Paths relative to the directory, so the expectations do not depend on it.
            var relative = spec
            relative.sourceFiles = spec.sourceFiles.map { String($0.dropFirst(directory.count + 1)) }
            return .success(relative)
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [
        ("watch: { paths: [app] }", true),
        ("watch: { paths: [app], gitignore: false }", false),
        ("watch: { paths: [app], gitignore: no }", false),
    ])
    func gitignoreKey(_ watch: String, _ expected: Bool) throws {
        let spec = try Self.load(["orch.yaml": "processes:\n  web:\n    command: x\n    \(watch)\n"]).get()
        #expect(spec.processes[0].watch?.gitignore == expected)
    }

    @Test(arguments: [("", true), ("reload: false\n", false), ("reload: true\n", true)])
    func reloadKey(_ line: String, _ expected: Bool) throws {
        #expect(try Self.load(["orch.yaml": line + "processes:\n  web: x\n"]).get().reload == expected)
    }

    @Test(arguments: [
        ("reload: sometimes\nprocesses:\n  web: x\n", "orch.yaml:1:9: 'reload' must be true or false, got 'sometimes'"),
        ("processes:\n  web:\n    command: x\n    watch: { paths: [a], gitignore: 3 }\n", "orch.yaml:4:37: 'gitignore' in 'watch' of process 'web' must be true or false, got '3'"),
        ("processes:\n  web:\n    command: x\n    watch: { paths: [a], gitingore: false }\n", "did you mean 'gitignore'?"),
    ])
    func badValuesSayWhere(_ text: String, _ expected: String) throws {
        guard case let .failure(error) = try Self.load(["orch.yaml": text]) else {
            Issue.record("loaded")
            return
        }
        #expect(error.diagnostics.contains { $0.description.contains(expected) }, "\(error)")
    }

    @Test func sourceFilesAreTheConfigAndEveryEnvFileItReads() throws {
        let spec = try Self.load([
            "orch.yaml": "env_file: [shared.env]\nprocesses:\n  web:\n    command: x\n    env_file: web.env\n  worker: x\n",
            "shared.env": "A=1\n", "web.env": "B=2\n",
        ]).get()
        // .env is watched even before it exists: creating it changes the environment.
        #expect(spec.sourceFiles == ["orch.yaml", "shared.env", ".env", "web.env"])
        let procfile = try Self.load(["Procfile": "web: x\n", ".env": "A=1\n"]).get()
        #expect(procfile.sourceFiles == ["Procfile", ".env"])
    }

    @Test(arguments: [
        (["web=app,lib", "worker=lib"], false, ["web": ["app", "lib"], "worker": ["lib"]]),
        (["web=app", "web=lib,"], false, ["web": ["app", "lib"]]),
        ([], true, [:]),
        (["web=app"], true, ["web": ["app"]]),
    ])
    func watchOverrides(_ arguments: [String], _ none: Bool, _ expected: [String: [String]]) throws {
        var spec = ProjectSpec(directory: "/p", configFile: "/p/orch.yaml", processes: [
            ProcessSpec(name: "web", command: "x", cwd: "/p", watch: WatchSpec(paths: ["/p/config"])),
            ProcessSpec(name: "worker", command: "x", cwd: "/p"),
        ])
        try WatchOverrides(arguments, none: none).apply(to: &spec)
        for process in spec.processes {
            let configured = process.name == "web" && !none ? ["/p/config"] : []
            let paths = process.watch?.paths
            if let added = expected[process.name] {
                #expect(paths == configured + added.map { "/p/" + $0 })
            } else {
                #expect(paths == (configured.isEmpty ? nil : configured))
            }
        }
    }

    @Test(arguments: [
        (["web"], "--watch 'web': use NAME=PATH[,PATH…], e.g. --watch web=app,lib"),
        (["=app"], "--watch '=app': needs a process name and at least one path"),
        (["web="], "--watch 'web=': needs a process name and at least one path"),
        (["wbe=app"], "--watch: no process named 'wbe' (did you mean 'web'?)"),
    ])
    func watchOverrideErrors(_ arguments: [String], _ expected: String) {
        var spec = ProjectSpec(directory: "/p", configFile: "/p/Procfile", processes: [ProcessSpec(name: "web", command: "x", cwd: "/p")])
        do {
            try WatchOverrides(arguments).apply(to: &spec)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(error.diagnostics.map(\.description).contains { $0.contains(expected) }, "\(error)")
        }
    }
}
