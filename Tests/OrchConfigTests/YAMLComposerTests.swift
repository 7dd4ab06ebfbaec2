import Foundation
import Testing
@testable import OrchConfig

/// The libyaml-based composer: anchors, aliases and merges; what it refuses
/// (alias bombs, deep nesting); duplicate keys in one pass; loading linear in the
/// input; hints on the YAML mistakes new users make.
@Suite struct YAMLComposerTests {
    /// Loads `text` as orch.yaml in a fresh directory: the spec, or the errors as printed.
    static func load(_ text: String) throws -> (spec: ProjectSpec?, errors: [String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch-composer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/orch.yaml", atomically: true, encoding: .utf8)
        do {
            let result = try ConfigLoader.load(LoadOptions(workingDirectory: directory, environment: [:]))
            return (result.spec, [])
        } catch {
            return (nil, error.diagnostics.map(\.description))
        }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let (spec, errors) = try Self.load("""
            x-defaults: &defaults { kind: job, restart: always, stop: { signal: INT, timeout: 2s } }
            x-env: &env { A: "1", B: two }
            x-paths: &paths [src, lib]
            processes:
              a:
                <<: *defaults
                command: echo a
                env: *env
                watch: *paths
              b:
                <<: [{ restart: "no" }, *defaults]
                command: echo b
                restart: on-failure
              c: { <<: *defaults, command: &cmd echo c, ready: { exec: *cmd } }
            """)
        #expect(errors == [])
        let processes = try #require(spec).processes
        #expect(processes.map(\.name) == ["a", "b", "c"])
        #expect(processes.map(\.kind) == [.job, .job, .job])
        // Explicit keys win over merged ones; earlier merge sources over later ones.
        #expect(processes.map(\.restart) == [.always, .onFailure, .always])
        #expect(processes[0].stop == StopSpec(signal: 2, timeout: .seconds(2)))
        #expect(processes[0].environment["A"] == "1" && processes[0].environment["B"] == "two")
        #expect(processes[0].watch?.paths.map { $0.split(separator: "/").last.map(String.init) ?? "" } == ["src", "lib"])
        #expect(processes[2].ready?.check == .exec(command: "echo c"))
    }

    @Test(arguments: [
        // An undefined alias, and an alias inside its own anchor (no cycles).
        ("processes: {a: *x}\n", ["orch.yaml:1:16: invalid YAML: found undefined alias"]),
        ("processes: &p {a: *p}\n", ["orch.yaml:1:19: invalid YAML: found undefined alias"]),
        ("processes: {a: x}\n---\nb: 1\n",
         ["orch.yaml:2:1: invalid YAML: but found another document (expected a single document in the stream at line 1, column 1)"]),
        // libyaml's reader gives a byte offset; it is shown as line and column.
        ("processes:\n  a: \"x\u{01}\"\n", ["orch.yaml:2:8: invalid YAML: control characters are not allowed"]),
        ("processes:\n  web:\n    command: x\n   bad: [\n",
         ["orch.yaml:4:4: invalid YAML: did not find expected key (while parsing a block mapping at line 2, column 3)"]),
    ])
    func syntaxErrors(yaml: String, expected: [String]) throws {
        #expect(try Self.load(yaml).errors == expected)
    }

    /// Issue 11: a YAML syntax error gets a hint, as schema errors do.
    @Test(arguments: [
        ("processes:\n\tweb: x\n",
         "orch.yaml:2:1: invalid YAML: found character that cannot start any token (while scanning for the next token at line 2, column 1): YAML indents with spaces, not tabs: replace the tab at the start of the line with spaces"),
        ("processes:\n  web:\n\t  command: x\n",
         "orch.yaml:3:1: invalid YAML: found character that cannot start any token (while scanning for the next token at line 3, column 1): YAML indents with spaces, not tabs: replace the tab at the start of the line with spaces"),
        ("processes:\n  web:\n    command: echo a: b\n",
         "orch.yaml:3:20: invalid YAML: mapping values are not allowed in this context: a value that contains ': ' must be quoted, e.g. `command: \"echo a: b\"`"),
        ("processes:\n  web: echo a: b\n",
         "orch.yaml:2:14: invalid YAML: mapping values are not allowed in this context: a value that contains ': ' must be quoted, e.g. `web: \"echo a: b\"`"),
        ("processes:\n  web:\n    command: echo a: \(String(repeating: "b", count: 5000))\n",
         "orch.yaml:3:20: invalid YAML: mapping values are not allowed in this context: a value that contains ': ' must be quoted, e.g. `command: \"echo a: bbbbbbbbbbbb…\"`"),
        ("processes:\n  web:\n    command: echo \"a\": b\r\n",
         "orch.yaml:3:22: invalid YAML: mapping values are not allowed in this context: a value that contains ': ' must be quoted, e.g. `command: 'echo \"a\": b'`"),
    ])
    func syntaxErrorHints(yaml: String, expected: String) throws {
        #expect(try Self.load(yaml).errors == [expected])
    }

    /// Aliases are counted, not expanded: nine levels of ten aliases each would be
    /// 10^9 nodes. The count stops at the alias that passes the limit.
    @Test func aliasBombIsRefused() throws {
        var lines = ["x-a0: &a0 {A: x, B: x, C: x, D: x, E: x, F: x, G: x, H: x, I: x, J: x}"]
        for level in 1...8 {
            lines.append("x-a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["processes:", "  web: {command: x, env: *a8}"]
        var result: (spec: ProjectSpec?, errors: [String]) = (nil, [])
        let elapsed = try Self.seconds { result = try Self.load(lines.joined(separator: "\n")) }
        #expect(result.errors == ["orch.yaml:6:27: aliases expand to more than 1000000 nodes (an alias bomb?); orch does not expand them: use fewer or smaller aliases"])
        #expect(elapsed < 5, "took \(elapsed) s")
    }

    /// Issue 8: a 600-byte file whose complex keys are built from nested aliases
    /// took 52 s (each key was hashed, aliases expanded).
    @Test func nestedAliasComplexKeysAreCheap() throws {
        var lines = ["x-a0: &a0 [x, x, x, x]"]
        for level in 1...4 {
            lines.append("x-a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 4).joined(separator: ", ") + "]")
        }
        lines += ["processes:", "  ? [*a4, *a4, *a4]", "  : {command: x}", "  ? [*a4, *a4, *a4]", "  : {command: y}", "  web: {command: z}"]
        var result: (spec: ProjectSpec?, errors: [String]) = (nil, [])
        let elapsed = try Self.seconds { result = try Self.load(lines.joined(separator: "\n")) }
        #expect(result.errors == [
            "orch.yaml:7:5: keys in 'processes' must be strings, got a list",
            "orch.yaml:9:5: keys in 'processes' must be strings, got a list",
        ])
        #expect(elapsed < 5, "took \(elapsed) s")

        lines = ["x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...8 {
            lines.append("x-a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["processes:", "  ? [*a8, *a8]", "  : {command: x}"]
        let text = lines.joined(separator: "\n")
        #expect(text.utf8.count < 700)
        let bomb = try Self.load(text)
        #expect(bomb.errors.count == 1 && bomb.errors[0].contains("(an alias bomb?)"), "\(bomb.errors)")
    }

    @Test func nestingIsBounded() throws {
        let depth = 100_000
        let text = "processes: {a: {command: x, env: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}}\n"
        #expect(try Self.load(text).errors == ["orch.yaml:1:1031: nested more than 1000 levels deep; orch.yaml needs only a few levels"])
    }

    /// Every duplicate is reported where it is, found while the mapping is built
    /// (the old composer parsed the whole file again for each: 2 MB with 50
    /// duplicates took 20 s). Keys are compared as text, quoted or not.
    @Test func duplicateKeysInOnePass() throws {
        var lines = ["processes:"]
        for index in 0..<20_000 { lines.append("  p\(index): {command: echo \(String(repeating: "x", count: 60)) \(index)}") }
        for index in 0..<50 { lines.append("  \(index % 2 == 0 ? "\"p\(index)\"" : "p\(index)"): {command: echo again, cwd: a, cwd: b}") }
        var result: (spec: ProjectSpec?, errors: [String]) = (nil, [])
        let elapsed = try Self.seconds { result = try Self.load(lines.joined(separator: "\n")) }
        let expected = (0..<50).map { "orch.yaml:\(20_002 + $0):3: duplicate process 'p\($0)' (first defined at line \($0 + 2))" }
        #expect(result.errors == expected)
        #expect(elapsed < 20, "took \(elapsed) s")
    }

    /// A duplicate key inside a map that `<<` merges is a duplicate like any other:
    /// reported where it is written, once, however many maps merge it and whether
    /// or not the map is also read where it is defined (before, the second was
    /// dropped without a word).
    @Test(arguments: [
        // An anchor only merged (x- keys are not read themselves), into two processes.
        ("x-defaults: &d {kind: job, kind: service}\nprocesses:\n  a: {<<: *d, command: x}\n  b: {<<: *d, command: y}\n",
         ["orch.yaml:1:28: duplicate key 'kind' in a '<<' merge in process 'a' (first defined at line 1)"]),
        // A process that is also the anchor: reported once, as its own duplicate.
        ("processes:\n  a: &d {command: x, kind: job, kind: service}\n  b: {<<: *d}\n  c: *d\n",
         ["orch.yaml:2:33: duplicate key 'kind' in process 'a' (first defined at line 2)"]),
        // One of a list of sources; an inline source; a merge into 'processes'.
        ("x-a: &a {restart: always}\nx-b: &b {kind: job, kind: job}\nprocesses:\n  a: {<<: [*a, *b], command: x}\n",
         ["orch.yaml:2:21: duplicate key 'kind' in a '<<' merge in process 'a' (first defined at line 2)"]),
        ("processes:\n  a: {<<: {command: x, command: y}}\n",
         ["orch.yaml:2:24: duplicate key 'command' in a '<<' merge in process 'a' (first defined at line 2)"]),
        ("x-p: &p {a: x, a: y}\nprocesses:\n  <<: *p\n",
         ["orch.yaml:1:16: duplicate process 'a' in a '<<' merge in 'processes' (first defined at line 1)"]),
        // The same key in two sources is not a duplicate: the first source wins.
        ("x-a: &a {kind: job}\nx-b: &b {kind: service}\nprocesses:\n  a: {<<: [*a, *b], command: x}\n", []),
    ])
    func duplicateKeysInAMergeSourceAreReportedOnce(yaml: String, expected: [String]) throws {
        let (spec, errors) = try Self.load(yaml)
        #expect(errors == expected)
        if expected.isEmpty { #expect(spec?.processes.first?.kind == .job) }
    }

    /// Issue 8: a 10 MB config loads in well under a second (release build);
    /// this debug-build test only checks that it loads, and in bounded time.
    @Test func tenMegabyteConfigLoads() throws {
        var text = "x-defaults: &defaults {kind: service, restart: always, stop: {signal: TERM, timeout: 5s}}\nprocesses:\n"
        var count = 0
        while text.utf8.count < 10_000_000 {
            text += "  p\(count):\n    <<: *defaults\n    command: exec ./bin/server --name p\(count) \(String(repeating: "y", count: 40))\n    env: {A: \"1\", B: two}\n"
            count += 1
        }
        var result: (spec: ProjectSpec?, errors: [String]) = (nil, [])
        let elapsed = try Self.seconds { result = try Self.load(text) }
        #expect(result.errors == [])
        #expect(result.spec?.processes.count == count)
        #expect(result.spec?.processes.last?.restart == .always)
        #expect(elapsed < 60, "took \(elapsed) s")
    }
}

@Suite struct TextSearchTests {
    @Test(arguments: [
        ("${PORT}", "PORT", true), ("http://x:$PORT/", "PORT", true), ("POR", "PORT", false), ("PPORT", "PORT", true),
        ("", "PORT", false), ("x", "", true), ("é ORCH_PROCESS_NAME", "ORCH_PROCESS_NAME", true), ("ORCH_PROCESS_NAM", "ORCH_PROCESS_NAME", false),
    ])
    func containsBytes(text: String, needle: String, expected: Bool) {
        #expect(text.containsBytes(needle) == expected)
    }
}
