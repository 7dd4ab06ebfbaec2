import Foundation
import Testing

extension EndToEnd {
    /// `orch check` on YAML as a user writes it: merges work, and the usual slips and
    /// hostile files get one clear line each, fast.
    @Suite struct YAMLCheckTests {
        @Test(arguments: [
            ("processes:\n\tweb: echo hi\n",
             "orch: orch.yaml:2:1: invalid YAML: found character that cannot start any token (while scanning for the next token at line 2, column 1): YAML indents with spaces, not tabs: replace the tab at the start of the line with spaces"),
            ("processes:\n  web:\n    command: echo a: b\n",
             "orch: orch.yaml:3:20: invalid YAML: mapping values are not allowed in this context: a value that contains ': ' must be quoted, e.g. `command: \"echo a: b\"`"),
            ("processes:\n  web: {command: x}\n  web: {command: y}\n",
             "orch: orch.yaml:3:3: duplicate process 'web' (first defined at line 2)"),
            ("processes:\n  web:\n    command: x\n    replicas: !!str 3\n",
             "orch: orch.yaml:4:15: 'replicas' in process 'web' must be a number from 0 to 1000, got '3' tagged !!str, which makes it a string: remove the tag"),
            ("x-defaults: &defaults {kind: job, kind: service}\nprocesses:\n  web: {<<: *defaults, command: x}\n  api: {<<: *defaults, command: y}\n",
             "orch: orch.yaml:1:35: duplicate key 'kind' in a '<<' merge in process 'web' (first defined at line 1)"),
            ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                + "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nprocesses: {web: x}\n",
             "orch: orch.yaml:6:36: aliases expand to more than 1000000 nodes (an alias bomb?); orch does not expand them: use fewer or smaller aliases"),
        ])
        func mistakesGetOneClearLine(yaml: String, expected: String) throws {
            let project = try Project(["orch.yaml": yaml])
            defer { project.cleanup() }
            let result = try runToEnd(["check"], in: project.path, timeout: 20)
            #expect(result.code == 2)
            #expect(result.err == expected + "\n")
            #expect(result.out == "")
        }

        @Test func mergeKeysAndAliases() throws {
            let project = try Project(["orch.yaml": """
                x-job: &job { kind: job, restart: on-failure }
                processes:
                  migrate: { <<: *job, command: ./migrate.sh }
                  seed: { <<: *job, command: ./seed.sh, restart: always, depends_on: { migrate: succeeded } }
                """])
            defer { project.cleanup() }
            let result = try runToEnd(["check"], in: project.path, timeout: 20)
            #expect(result.code == 0, "\(result.err)")
            let lines = result.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(lines.contains { $0.hasPrefix("migrate ") && $0.hasSuffix(" job restart on-failure ./migrate.sh") }, "\(result.out)")
            #expect(lines.contains { $0.hasPrefix("seed ") && $0.hasSuffix(" job restart always after migrate succeeded ./seed.sh") }, "\(result.out)")
        }
    }
}
